import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { deliverBakeOutcome } from '../../core/deployment/bake-outcome.js';
import { BakeFailed } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { BakeRequest, BakeStatus, ImageBaker } from '../../core/ports/image-baker.js';
import type { TaskCallbacks } from '../../core/ports/task-callbacks.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import { BakeDiscard } from './bake-discard.js';
import { type BakeEvent, bakeIdOfEvent } from './bake-events.js';
import type { BakeEntry, BakeLedger } from './bake-ledger.js';
import { BakeSteps } from './bake-steps.js';
import { BuilderInstances } from './builder-instance.js';
import { launchBuilder } from './builder-launch.js';
import { BuilderReportReader } from './builder-report-reader.js';
import { builderUrls } from './builder-urls.js';
import { Ec2ImageCatalog } from './ec2-image-catalog.js';

export interface Ec2BakerClients {
  ec2: EC2Client;
  s3: S3Client;
  ssm: SSMClient;
}

/**
 * Bakes AMIs the way Packer's amazon-ebs builder does, without SSH: a builder instance from the base AMI (IMDSv2,
 * no key pair, no inbound rule, no standing S3 access: presigned URLs only) provisions itself from user data,
 * reports, and powers off; then CreateImage, and the builder is always terminated. `advance` moves a bake one
 * step and is idempotent: events (result object, instance stopped, AMI state change) and the Bake Task's
 * re-check all call it. Reading and removing images is the catalog's (ec2-image-catalog.ts).
 */
export class Ec2ImageBaker implements ImageBaker {
  private readonly catalog: Ec2ImageCatalog;
  private readonly builders: BuilderInstances;
  private readonly steps: BakeSteps;
  private readonly discard: BakeDiscard;
  readonly recipe: string;

  constructor(
    private readonly clients: Ec2BakerClients,
    private readonly settings: AwsSettings,
    private readonly ledger: BakeLedger,
    private readonly callbacks: TaskCallbacks,
    private readonly clock: Clock,
  ) {
    this.catalog = new Ec2ImageCatalog(clients);
    this.recipe = this.catalog.recipe;
    this.builders = new BuilderInstances(clients.ec2, clock);
    const reports = new BuilderReportReader(clients, settings);
    this.steps = new BakeSteps(clients.ec2, this.builders, reports, this.catalog, clock);
    this.discard = new BakeDiscard(ledger, this.builders, this.catalog, clock);
  }

  resolveBaseImage(reference: string) {
    return this.catalog.resolveBaseImage(reference);
  }

  findImageByBakeKey(service: string, bakeKey: string) {
    return this.catalog.findImageByBakeKey(service, bakeKey);
  }

  getImage(imageId: string) {
    return this.catalog.getImage(imageId);
  }

  listImages(service: string) {
    return this.catalog.listImages(service);
  }

  discardImage(imageId: string) {
    return this.catalog.discardImage(imageId);
  }

  async startBake(request: BakeRequest): Promise<void> {
    if (await this.ledger.get(request.bakeId)) return;
    const provider = await this.settings.provider();
    const base = await this.catalog.getRawImage(request.baseImageId);
    const urls = await builderUrls(this.clients.s3, request, provider);
    const builderInstanceId = await launchBuilder(this.clients.ec2, this.builders, {
      request,
      provider,
      base,
      urls,
    });
    if (!builderInstanceId) throw new BakeFailed('RunInstances returned no builder instance');
    await this.ledger.create({
      bakeId: request.bakeId,
      request,
      step: 'building',
      builderInstanceId,
      startedAt: this.clock.now().toISOString(),
    });
  }

  async checkBake(bakeId: string): Promise<BakeStatus> {
    const entry = await this.advance(bakeId);
    return entry ? this.statusOf(entry) : { state: 'unknown' };
  }

  async notifyWhenDone(bakeId: string, taskToken: string): Promise<void> {
    await this.ledger.setTaskToken(bakeId, taskToken);
    await this.advance(bakeId);
  }

  cancelBake(bakeId: string): Promise<void> {
    return this.discard.cancel(bakeId);
  }

  /**
   * Moves a bake on as far as it can go now (bake-steps.ts), and delivers the outcome to the waiting Task once
   * the bake has ended.
   */
  async advance(bakeId: string): Promise<BakeEntry | undefined> {
    const entry = await this.ledger.get(bakeId);
    if (!entry) return undefined;
    // Claim, create, finish: as many steps as can be taken now (at most three: there are no more).
    for (let taken = 0; taken < 3; taken++) {
      const next = await this.steps.next(entry);
      if (!next || !(await this.ledger.advance(bakeId, entry.step, next))) break;
      Object.assign(entry, next);
    }
    // Read again: another step may have ended the bake, or the waiting Task may have left its token meanwhile.
    const latest = (await this.ledger.get(bakeId)) ?? entry;
    const ended = ['succeeded', 'failed', 'cancelled'].includes(latest.step);
    if (ended && latest.taskToken && (await this.ledger.takeTaskToken(bakeId, latest.taskToken))) {
      const status = await this.statusOf(latest);
      await deliverBakeOutcome(this.callbacks, latest.taskToken, latest.request.bakeKey, status).catch(
        () => undefined,
      );
    }
    return latest;
  }

  /** The bake an EventBridge event is about (bake-events.ts). */
  bakeIdOfEvent(event: BakeEvent): Promise<string | undefined> {
    return bakeIdOfEvent({ ec2: this.clients.ec2, settings: this.settings, catalog: this.catalog }, event);
  }

  private async statusOf(entry: BakeEntry): Promise<BakeStatus> {
    switch (entry.step) {
      case 'building':
      case 'imaging':
        return { state: 'baking', startedAt: entry.startedAt };
      case 'succeeded': {
        const image = entry.imageId ? await this.catalog.getImage(entry.imageId) : undefined;
        return image
          ? { state: 'succeeded', image }
          : { state: 'failed', reason: 'the baked image has disappeared' };
      }
      case 'failed':
        return { state: 'failed', reason: entry.reason ?? 'unknown' };
      case 'cancelled':
        return { state: 'cancelled' };
    }
  }
}
