import { TransientFailure } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { BakeLedger } from './bake-ledger.js';
import type { BuilderInstances } from './builder-instance.js';
import type { Ec2ImageCatalog } from './ec2-image-catalog.js';
import { withinVisibilityDelay } from './visibility-delay.js';

/** Discards a bake that has not ended: its builder terminated, its image deregistered with its snapshots. */
export class BakeDiscard {
  constructor(
    private readonly ledger: BakeLedger,
    private readonly builders: BuilderInstances,
    private readonly catalog: Ec2ImageCatalog,
    private readonly clock: Clock,
  ) {}

  /** Idempotent; a bake that has ended is left as it is. */
  async cancel(bakeId: string): Promise<void> {
    const entry = await this.ledger.get(bakeId);
    if (!entry) {
      // The start may have launched its builder and then failed to record it: find the builder by its tag.
      const unrecorded = await this.builders.of(bakeId);
      if (unrecorded) await this.builders.terminate(unrecorded);
      return;
    }
    if (entry.step === 'succeeded' || entry.step === 'failed' || entry.step === 'cancelled') return;
    await this.builders.terminate(entry.builderInstanceId);
    if (entry.imageId) await this.discardImageOf(entry.imageId, entry.imagingAt);
    await this.ledger.advance(bakeId, entry.step, { step: 'cancelled', reason: 'cancelled by compensation' });
  }

  /**
   * The bake's image, deregistered with its snapshots. EC2 is eventually consistent: right after CreateImage,
   * DescribeImages may not see the image yet. Within that delay not found is not gone: the step fails
   * transiently and its retry discards the image, instead of leaving it (and its snapshot) behind.
   */
  private async discardImageOf(imageId: string, imagingAt: string | undefined): Promise<void> {
    if (!(await this.catalog.getRawImage(imageId)) && withinVisibilityDelay(this.clock, imagingAt))
      throw new TransientFailure(`image ${imageId} is not visible yet (EC2 is eventually consistent)`);
    await this.catalog.discardImage(imageId);
  }
}
