import { createHash } from 'node:crypto';
import {
  CreateImageCommand,
  type EC2Client,
  type Image as Ec2Image,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { deliverBakeOutcome } from '../../core/deployment/bake-outcome.js';
import { BakeFailed, TransientFailure } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { BakeRequest, BakeStatus, ImageBaker } from '../../core/ports/image-baker.js';
import type { TaskCallbacks } from '../../core/ports/task-callbacks.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsProviderSettings, AwsSettings } from '../commons/aws-settings.js';
import { describeImages, describeInstances } from '../commons/ec2-describe.js';
import { TAG, tags, tagValue } from '../commons/tags.js';
import type { BakeEntry, BakeLedger } from './bake-ledger.js';
import { builderUserData } from './builder-user-data.js';
import { Ec2ImageCatalog } from './ec2-image-catalog.js';
import { claimedChecksum } from './presigning-s3-client.js';

export interface Ec2BakerClients {
  ec2: EC2Client;
  s3: S3Client;
  ssm: SSMClient;
}

interface BuilderReport {
  status: 'succeeded' | 'failed';
  healthPath?: string;
  logTail?: string;
}

/**
 * Bakes AMIs the way Packer's amazon-ebs builder does, without SSH: a builder instance from the base AMI (IMDSv2,
 * no key pair, no inbound rule, no standing S3 access: presigned URLs only) provisions itself from user data,
 * reports, and powers off; then CreateImage, and the builder is always terminated. `advance` moves a bake one
 * step and is idempotent: events (result object, instance stopped, AMI state change) and the Bake Task's
 * re-check all call it.
 */
export class Ec2ImageBaker extends Ec2ImageCatalog implements ImageBaker {
  constructor(
    protected override readonly clients: Ec2BakerClients,
    private readonly settings: AwsSettings,
    private readonly ledger: BakeLedger,
    private readonly callbacks: TaskCallbacks,
    private readonly clock: Clock,
  ) {
    super(clients);
  }

  async startBake(request: BakeRequest): Promise<void> {
    if (await this.ledger.get(request.bakeId)) return;
    const provider = await this.settings.provider();
    const base = await this.getRawImage(request.baseImageId);
    const { artifactUrl, resultUrl } = await this.builderUrls(request, provider);
    const bakeTags = tags({
      role: 'builder',
      bakeId: request.bakeId,
      deployment: request.deploymentId,
      service: request.service,
      version: request.version,
      bakeKey: request.bakeKey,
    });
    const launch = () =>
      this.clients.ec2.send(
        new RunInstancesCommand({
          // Idempotent: a retried start returns the same builder instead of launching a second one.
          ClientToken: clientToken(request.bakeId),
          ImageId: request.baseImageId,
          InstanceType: provider.builderInstanceType as never,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: provider.builderSubnetId,
          SecurityGroupIds: [provider.builderSecurityGroupId],
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [
            {
              DeviceName: base?.RootDeviceName ?? '/dev/xvda',
              Ebs: { Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true },
            },
          ],
          InstanceInitiatedShutdownBehavior: 'stop',
          UserData: builderUserData({ artifactUrl, resultUrl, timeoutSeconds: request.timeoutSeconds }),
          TagSpecifications: [
            { ResourceType: 'instance', Tags: bakeTags },
            { ResourceType: 'volume', Tags: bakeTags },
          ],
        }),
      );
    // A retried start signs its URLs anew, so the same token comes with other user data: EC2 answers
    // IdempotentParameterMismatch, and the builder the first attempt launched is the one to keep.
    const builderInstanceId = await withAwsErrors('RunInstances (builder)', launch).then(
      ({ Instances }) => Instances?.[0]?.InstanceId,
      async (error: Error) => {
        if (error.name !== 'IdempotentParameterMismatch') throw error;
        return this.builderOf(request.bakeId);
      },
    );
    if (!builderInstanceId) throw new BakeFailed('RunInstances returned no builder instance');
    await this.ledger.create({
      bakeId: request.bakeId,
      request,
      step: 'building',
      builderInstanceId,
      startedAt: this.clock.now().toISOString(),
    });
  }

  /**
   * The builder's two presigned URLs, valid for the bake and a margin: the artifact's GET and its report's PUT,
   * which must claim no body checksum (the report is not written yet: presigning-s3-client.ts).
   */
  private async builderUrls(request: BakeRequest, provider: AwsProviderSettings) {
    const expiresIn = Math.min(request.timeoutSeconds + 600, 7 * 24 * 3600);
    const artifactUrl = await getSignedUrl(
      this.clients.s3,
      new GetObjectCommand({
        Bucket: request.artifact.bucket,
        Key: request.artifact.key,
        VersionId: request.artifact.versionId,
      }),
      { expiresIn },
    );
    const resultUrl = await getSignedUrl(
      this.clients.s3,
      new PutObjectCommand({
        Bucket: provider.artifactBucket,
        Key: this.resultKey(provider.bakeResultsPrefix, request.bakeId),
        ContentType: 'application/json',
      }),
      { expiresIn },
    );
    const claimed = claimedChecksum(resultUrl);
    if (claimed)
      throw new Error(
        `the report URL claims a body checksum (${claimed}): sign it with presigningS3Client (presigning-s3-client.ts)`,
      );
    return { artifactUrl, resultUrl };
  }

  async checkBake(bakeId: string): Promise<BakeStatus> {
    const entry = await this.advance(bakeId);
    return entry ? this.statusOf(entry) : { state: 'unknown' };
  }

  async notifyWhenDone(bakeId: string, taskToken: string): Promise<void> {
    await this.ledger.setTaskToken(bakeId, taskToken);
    await this.advance(bakeId);
  }

  async cancelBake(bakeId: string): Promise<void> {
    const entry = await this.ledger.get(bakeId);
    if (!entry) {
      // The start may have launched its builder and then failed to record it: find the builder by its tag.
      const unrecorded = await this.builderOf(bakeId);
      if (unrecorded) await this.terminate(unrecorded);
      return;
    }
    if (entry.step === 'succeeded' || entry.step === 'failed' || entry.step === 'cancelled') return;
    await this.terminate(entry.builderInstanceId);
    if (entry.imageId) await this.discardImageOf(entry.imageId, entry.imagingAt);
    await this.ledger.advance(bakeId, entry.step, { step: 'cancelled', reason: 'cancelled by compensation' });
  }

  /**
   * The bake's image, deregistered with its snapshots. EC2 is eventually consistent: right after CreateImage,
   * DescribeImages may not see the image yet. Within that delay not found is not gone: the step fails
   * transiently and its retry discards the image, instead of leaving it (and its snapshot) behind.
   */
  private async discardImageOf(imageId: string, imagingAt: string | undefined): Promise<void> {
    if (!(await this.getRawImage(imageId)) && this.withinVisibilityDelay(imagingAt))
      throw new TransientFailure(`image ${imageId} is not visible yet (EC2 is eventually consistent)`);
    await this.discardImage(imageId);
  }

  /**
   * Moves a bake one step on, from what the builder reported and what EC2 says: report + stopped → CreateImage;
   * image available → done; failure, deadline or a lost builder → failed. The builder is terminated on every end.
   * Delivers the outcome to the waiting Task once the bake has ended.
   */
  async advance(bakeId: string): Promise<BakeEntry | undefined> {
    const entry = await this.ledger.get(bakeId);
    if (!entry) return undefined;
    // Claim, create, finish: as many steps as can be taken now (at most three: there are no more).
    for (let taken = 0; taken < 3; taken++) {
      const next = await this.nextStep(entry);
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

  private async nextStep(entry: BakeEntry): Promise<Partial<BakeEntry> | undefined> {
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
    const state = await this.instanceState(entry.builderInstanceId, entry.startedAt);
    const report =
      (await this.readReport(entry.bakeId)) ??
      (state === 'stopped' ? await this.consoleReport(entry.builderInstanceId) : undefined);
    if (report?.status === 'failed') {
      await this.terminate(entry.builderInstanceId);
      return {
        step: 'failed',
        reason: `the bake failed on the builder; last lines of its log:\n${report.logTail ?? ''}`,
      };
    }
    if (report?.status === 'succeeded' && state === 'stopped') {
      // Claimed by a conditional write before CreateImage: of two racing events, one goes on.
      return {
        step: 'imaging',
        healthPath: report.healthPath ?? '/health',
        imagingAt: this.clock.now().toISOString(),
      };
    }
    if (state === 'terminated' || state === 'shutting-down' || state === undefined) {
      return { step: 'failed', reason: `builder ${entry.builderInstanceId} ended before reporting` };
    }
    if (overdue) {
      await this.terminate(entry.builderInstanceId);
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
    const choice = await this.adoptOrCreateImage(entry);
    if ('imageId' in choice) return { imageId: choice.imageId };
    if (!overdue) return undefined;
    await this.terminate(entry.builderInstanceId);
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
    const image = await this.getRawImage(imageId);
    // EC2 is eventually consistent: a DescribeImages right after CreateImage may not see the image yet.
    if (!image && this.withinVisibilityDelay(entry.imagingAt)) return undefined;
    if (image?.State === 'available') {
      await this.terminate(entry.builderInstanceId);
      return { step: 'succeeded' };
    }
    if (!image || image.State === 'failed' || image.State === 'error' || overdue) {
      await this.terminate(entry.builderInstanceId);
      if (image) await this.discardImage(imageId);
      return { step: 'failed', reason: `CreateImage ended ${image?.State ?? 'without an image'}` };
    }
    return undefined;
  }

  /**
   * The bake an EventBridge event is about: the builder's result object, its instance stopping, or its AMI
   * changing state. Undefined for anything else.
   */
  async bakeIdOfEvent(event: {
    source?: string;
    'detail-type'?: string;
    detail?: Record<string, unknown>;
  }): Promise<string | undefined> {
    const detail = event.detail ?? {};
    if (event.source === 'aws.s3') {
      const key = String((detail.object as { key?: string } | undefined)?.key ?? '');
      const { bakeResultsPrefix } = await this.settings.provider();
      return key.startsWith(bakeResultsPrefix) && key.endsWith('.json')
        ? key.slice(bakeResultsPrefix.length, -'.json'.length)
        : undefined;
    }
    if (event['detail-type'] === 'EC2 Instance State-change Notification') {
      const [instance] = await describeInstances(this.clients.ec2, {
        InstanceIds: [String(detail['instance-id'])],
      });
      return tagValue(instance?.Tags, TAG.bakeId);
    }
    if (event['detail-type'] === 'EC2 AMI State Change') {
      return tagValue((await this.getRawImage(String(detail.ImageId)))?.Tags, TAG.bakeId);
    }
    return undefined;
  }

  /**
   * The bake's image, found by its name (the bake key's): its own from an earlier attempt (pending or
   * available: it is waited for), another bake's once available, or a new one. Another bake's image still being
   * made is never adopted (its bake may yet fail or discard it): the caller waits for it.
   */
  private async adoptOrCreateImage(
    entry: BakeEntry,
  ): Promise<{ imageId: string } | { othersPending: Ec2Image }> {
    const name = imageName(entry.request);
    const find = async () => {
      const images = await describeImages(this.clients.ec2, {
        Owners: ['self'],
        Filters: [{ Name: 'name', Values: [name] }],
      });
      return imageToAdopt(images, entry.bakeId);
    };
    const existing = await find();
    if (existing) return existing;
    try {
      return { imageId: await this.createImage(entry, name) };
    } catch (error) {
      const adopted = (error as Error).name === 'InvalidAMIName.Duplicate' ? await find() : undefined;
      if (adopted) return adopted;
      throw error;
    }
  }

  private async createImage(entry: BakeEntry, name: string): Promise<string> {
    const { request } = entry;
    const healthPath = entry.healthPath ?? '/health';
    const imageTags = tags({
      service: request.service,
      version: request.version,
      bakeKey: request.bakeKey,
      deployment: request.deploymentId,
      bakeId: request.bakeId,
      healthPath,
    });
    const { ImageId } = await withAwsErrors('CreateImage', () =>
      this.clients.ec2.send(
        new CreateImageCommand({
          InstanceId: entry.builderInstanceId,
          Name: name,
          Description: `bakeshift ${request.service} ${request.version} (bake key ${request.bakeKey})`,
          TagSpecifications: [
            { ResourceType: 'image', Tags: imageTags },
            { ResourceType: 'snapshot', Tags: imageTags },
          ],
        }),
      ),
    );
    if (!ImageId) throw new BakeFailed('CreateImage returned no image id');
    return ImageId;
  }

  private async statusOf(entry: BakeEntry): Promise<BakeStatus> {
    switch (entry.step) {
      case 'building':
      case 'imaging':
        return { state: 'baking', startedAt: entry.startedAt };
      case 'succeeded': {
        const image = entry.imageId ? await this.getImage(entry.imageId) : undefined;
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

  private resultKey(prefix: string, bakeId: string) {
    return `${prefix}${bakeId}.json`;
  }

  private async readReport(bakeId: string): Promise<BuilderReport | undefined> {
    const provider = await this.settings.provider();
    try {
      const { Body } = await withAwsErrors('GetObject (bake result)', () =>
        this.clients.s3.send(
          new GetObjectCommand({
            Bucket: provider.artifactBucket,
            Key: this.resultKey(provider.bakeResultsPrefix, bakeId),
          }),
        ),
      );
      return JSON.parse((await Body?.transformToString()) ?? '{}') as BuilderReport;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /**
   * EC2 is eventually consistent (EC2 API reference, "Eventual consistency"): right after RunInstances,
   * DescribeInstances may answer InvalidInstanceID.NotFound. Within the visibility delay that means pending.
   */
  /**
   * The report as the builder also wrote it to its console: the one that counts when the presigned PUT failed
   * (its URL dies with the temporary credentials that signed it). EC2 keeps a stopped instance's console.
   */
  private async consoleReport(instanceId: string): Promise<BuilderReport | undefined> {
    const { Output } = await withAwsErrors('GetConsoleOutput', () =>
      this.clients.ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true })),
    );
    const text = Buffer.from(Output ?? '', 'base64').toString('utf8');
    const encoded = [...text.matchAll(/BAKESHIFT-REPORT ([A-Za-z0-9+/=]+)/g)].at(-1)?.[1];
    if (!encoded) return undefined;
    try {
      return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as BuilderReport;
    } catch {
      return undefined;
    }
  }

  private async instanceState(instanceId: string, launchedAt: string): Promise<string | undefined> {
    const state = await describeInstances(this.clients.ec2, { InstanceIds: [instanceId] }).then(
      ([instance]) => instance?.State?.Name,
      (error: Error) => {
        if (error.name === 'InvalidInstanceID.NotFound') return undefined;
        throw error;
      },
    );
    return state ?? (this.withinVisibilityDelay(launchedAt) ? 'pending' : undefined);
  }

  private withinVisibilityDelay(since: string | undefined): boolean {
    return since !== undefined && this.clock.now().getTime() - Date.parse(since) < VISIBILITY_DELAY_MS;
  }

  /** The builder a bake launched, found by its tag (after a retried RunInstances, or a start that failed). */
  private async builderOf(bakeId: string): Promise<string | undefined> {
    const [builder] = await describeInstances(this.clients.ec2, {
      Filters: [
        { Name: `tag:${TAG.bakeId}`, Values: [bakeId] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    return builder?.InstanceId;
  }

  private async terminate(instanceId: string): Promise<void> {
    await withAwsErrors('TerminateInstances', () =>
      this.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })),
    ).catch((error: Error) => {
      if (error.name !== 'InvalidInstanceID.NotFound') throw error;
    });
  }
}

/**
 * Of the images with a bake's name, the one it may use: its own (by the bake-id tag) while pending or available,
 * another bake's only when available; else another bake's pending one, to wait for.
 */
function imageToAdopt(
  images: Ec2Image[],
  bakeId: string,
): { imageId: string } | { othersPending: Ec2Image } | undefined {
  const own = images.find(
    (i) => tagValue(i.Tags, TAG.bakeId) === bakeId && (i.State === 'pending' || i.State === 'available'),
  );
  const usable = own ?? images.find((i) => i.State === 'available');
  if (usable?.ImageId) return { imageId: usable.ImageId };
  const othersPending = images.find((i) => i.State === 'pending');
  return othersPending ? { othersPending } : undefined;
}

/** How long a just-created instance or image may stay invisible to Describe calls before it counts as gone. */
const VISIBILITY_DELAY_MS = 5 * 60 * 1000;

/** EC2 client tokens are at most 64 ASCII characters: a digest of the bake id always fits. */
function clientToken(bakeId: string): string {
  return createHash('sha256').update(bakeId).digest('hex');
}

/** AMI names are unique per account and region: the bake key makes a retried bake find its own image. */
function imageName(request: BakeRequest): string {
  return `bakeshift-${request.service}-${request.version}-${request.bakeKey.slice(0, 12)}`.replace(
    /[^A-Za-z0-9()[\]./\-'@_ ]/g,
    '-',
  );
}
