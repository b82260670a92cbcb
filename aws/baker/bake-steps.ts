import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from '../../core/ports/clock.js';
import { TAG, tagValue } from '../commons/tags.js';
import { adoptOrCreateImage } from './bake-image.js';
import type { BakeEntry } from './bake-ledger.js';
import type { BuilderInstances } from './builder-instance.js';
import type { BuilderReportReader } from './builder-report-reader.js';
import type { Ec2ImageCatalog } from './ec2-image-catalog.js';
import { withinVisibilityDelay } from './visibility-delay.js';

/**
 * A bake's next step, from what the builder reported and what EC2 says: report + stopped → imaging; image
 * adopted or created; image available → succeeded; failure, deadline or a lost builder → failed. The builder
 * is terminated on every end. Undefined while there is nothing to do yet.
 */
export class BakeSteps {
  constructor(
    private readonly ec2: EC2Client,
    private readonly builders: BuilderInstances,
    private readonly reports: BuilderReportReader,
    private readonly catalog: Ec2ImageCatalog,
    private readonly clock: Clock,
  ) {}

  async next(entry: BakeEntry): Promise<Partial<BakeEntry> | undefined> {
    const overdue =
      this.clock.now().getTime() - Date.parse(entry.startedAt) > entry.request.timeoutSeconds * 1000;
    if (entry.step === 'building') return this.nextBuildingStep(entry, overdue);
    if (entry.step === 'imaging' && !entry.imageId) return this.nextNamingStep(entry, overdue);
    if (entry.step === 'imaging' && entry.imageId) return this.nextImagingStep(entry, entry.imageId, overdue);
    return undefined;
  }

  /** While the builder builds: its report decides; a builder gone or overdue fails the bake. */
  private async nextBuildingStep(
    entry: BakeEntry,
    overdue: boolean,
  ): Promise<Partial<BakeEntry> | undefined> {
    const state = await this.builders.state(entry.builderInstanceId, entry.startedAt);
    const report =
      (await this.reports.fromResultObject(entry.bakeId)) ??
      (state === 'stopped' ? await this.reports.fromConsole(entry.builderInstanceId) : undefined);
    if (report?.status === 'failed') {
      await this.builders.terminate(entry.builderInstanceId);
      return {
        step: 'failed',
        reason: `the bake failed on the builder; last lines of its log:\n${report.logTail ?? ''}`,
      };
    }
    if (report?.status === 'succeeded' && state === 'stopped') {
      // Claimed by a conditional write before CreateImage: of two racing events, one goes on.
      return {
        step: 'imaging',
        healthPath: report.healthPath,
        imagingAt: this.clock.now().toISOString(),
      };
    }
    if (state === 'terminated' || state === 'shutting-down' || state === undefined) {
      return { step: 'failed', reason: `builder ${entry.builderInstanceId} ended before reporting` };
    }
    if (overdue) {
      await this.builders.terminate(entry.builderInstanceId);
      // A stopped builder's console output can lag its stop: it is waited for until the deadline.
      return {
        step: 'failed',
        reason:
          state === 'stopped'
            ? `builder ${entry.builderInstanceId} powered off without a report (none in S3 or on its console by the bake deadline of ${entry.request.timeoutSeconds}s)`
            : `no image after the bake deadline of ${entry.request.timeoutSeconds}s`,
      };
    }
    return undefined;
  }

  /**
   * Before the bake has its image: adopt or create it. While another bake is still making the image of this
   * name, wait for it (a half-made image is never used), until the bake's deadline.
   */
  private async nextNamingStep(entry: BakeEntry, overdue: boolean): Promise<Partial<BakeEntry> | undefined> {
    const choice = await adoptOrCreateImage(this.ec2, entry);
    if ('imageId' in choice) return { imageId: choice.imageId };
    if (!overdue) return undefined;
    await this.builders.terminate(entry.builderInstanceId);
    const maker = tagValue(choice.othersPending.Tags, TAG.deployment) ?? 'unknown';
    return {
      step: 'failed',
      reason: `deployment ${maker} was still making image ${choice.othersPending.ImageId} of the same name at the bake deadline of ${entry.request.timeoutSeconds}s`,
    };
  }

  /** While the image is made: available succeeds, failed or overdue fails (and the image is discarded). */
  private async nextImagingStep(
    entry: BakeEntry,
    imageId: string,
    overdue: boolean,
  ): Promise<Partial<BakeEntry> | undefined> {
    const image = await this.catalog.getRawImage(imageId);
    // EC2 is eventually consistent: a DescribeImages right after CreateImage may not see the image yet.
    if (!image && withinVisibilityDelay(this.clock, entry.imagingAt)) return undefined;
    if (image?.State === 'available') {
      await this.builders.terminate(entry.builderInstanceId);
      return { step: 'succeeded' };
    }
    if (!image || image.State === 'failed' || image.State === 'error' || overdue) {
      await this.builders.terminate(entry.builderInstanceId);
      if (image) await this.catalog.discardImage(imageId);
      return { step: 'failed', reason: `CreateImage ended ${image?.State ?? 'without an image'}` };
    }
    return undefined;
  }
}
