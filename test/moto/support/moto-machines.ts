import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  type EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { Parser, type ReadEntry } from 'tar';
import { TAG, tagValue } from '../../../aws/commons/tags.js';
import type { EventDelivery } from './event-delivery.js';
import { type FrontLayer, queryParams } from './moto-front.js';
import { settleAll } from './settle-all.js';

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

/** The files an instance's user data writes: each line `echo '<base64 of gzip>' | base64 -d | gzip -dc > PATH`. */
export function filesWrittenBy(script: string): Record<string, string> {
  return Object.fromEntries(
    [...script.matchAll(/^\s*echo '([A-Za-z0-9+/=]+)' \| base64 -d \| gzip -dc > (\S+)$/gm)].map(
      ([, content, path]) => [path, gunzipSync(Buffer.from(content ?? '', 'base64')).toString('utf8')],
    ),
  );
}

/** A systemd EnvironmentFile as aws/fleets/environment-file.ts writes it (NAME="value", four escapes), read back. */
export function environmentOf(file: string): Record<string, string> {
  return Object.fromEntries(
    [...file.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"$/gms)].map(([, name, value]) => [
      name,
      (value ?? '').replace(/\\(["\\`$])/g, '$1'),
    ]),
  );
}
/** A value the user data wrote with shellQuote: `'…'`, inner quotes as `'"'"'`. */
const unquote = (quoted: string) => quoted.slice(1, -1).replaceAll(`'"'"'`, "'");

interface Manifest {
  start?: string;
  healthPath?: string;
}

/** What the builder's script would report, from the artifact alone (its checks, in its order). */
async function builderOutcome(
  artifact: Buffer,
): Promise<{ status: 'succeeded' | 'failed'; healthPath: string; logTail: string }> {
  const entries: string[] = [];
  let manifest: Manifest | undefined;
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      entries.push(entry.path);
      if (entry.path.replace(/^\.\//, '') !== 'bakeshift.json') return entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => {
        manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Manifest;
      });
    },
  });
  await pipeline(Readable.from([artifact]), parser);
  const fail = (reason: string) => ({
    status: 'failed' as const,
    healthPath: '/health',
    logTail: `bake failed: ${reason}\n`,
  });
  if (entries.some((p) => p.startsWith('/') || /(^|\/)\.\.(\/|$)/.test(p)))
    return fail('artifact has entries outside its root');
  if (!manifest) return fail("bakeshift.json missing at the artifact's root");
  if (!manifest.start) return fail('bakeshift.json has no start command');
  return { status: 'succeeded', healthPath: manifest.healthPath ?? '/health', logTail: 'baked\n' };
}

/**
 * The test's stand-in for the machines EC2 would boot (moto stores user data, it runs none). What each does is
 * what the boot test (test/boot) shows the real script doing under systemd and cloud-init:
 * - a builder reads its user data back, downloads the artifact from the presigned URL in it, checks the
 *   artifact as the script does (no entry outside its root, a manifest with a start command), PUTs its report
 *   to the presigned result URL in it, and powers itself off (StopInstances: its shutdown behaviour is stop),
 *   which EC2 announces as an instance state change;
 * - a fleet instance reads its user data back (the environment's variables must be in it) and, unless its
 *   version is one the test made broken, serves: moto registers it with its group's target group as healthy.
 *   A broken one never answers its health check: it is stopped (moto's target health then says `unused`).
 */
export class MotoMachines {
  /** Versions whose instances never become healthy. */
  readonly broken = new Set<string>();
  readonly builders: { instanceId: string; report: { status: string; logTail: string } }[] = [];
  /** Each fleet instance booted: its image's version and the environment its user data gives the app. */
  readonly instances: { instanceId: string; version: string; environment: Record<string, string> }[] = [];
  private readonly pending = new Set<Promise<void>>();
  readonly failures: string[] = [];

  constructor(
    private readonly clients: { ec2: EC2Client; autoScaling: AutoScalingClient },
    private readonly events: EventDelivery,
  ) {}

  /** Boots what each successful RunInstances (a builder) or CreateAutoScalingGroup (a fleet) launched. */
  readonly layer: FrontLayer = async (call, next) => {
    const answer = await next(call);
    if (answer.status !== 200) return answer;
    if (call.service === 'ec2' && call.action === 'RunInstances') {
      for (const [, id] of answer.body.toString('utf8').matchAll(/<instanceId>([^<]+)<\/instanceId>/g))
        if (id) this.track(this.bootBuilder(id));
    }
    if (call.service === 'autoscaling' && call.action === 'CreateAutoScalingGroup')
      this.track(this.bootGroup(queryParams(call).get('AutoScalingGroupName') ?? ''));
    return answer;
  };

  async settled(): Promise<void> {
    await settleAll(this.pending, 'instance boots');
  }

  private track(boot: Promise<void>): void {
    const tracked = boot.catch((error: Error) => void this.failures.push(error.stack ?? error.message));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private async userData(instanceId: string): Promise<string> {
    const { UserData } = await this.clients.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }),
    );
    return decode(UserData?.Value ?? '');
  }

  private async bootBuilder(instanceId: string): Promise<void> {
    const { Reservations } = await this.clients.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
    );
    if (tagValue(Reservations?.[0]?.Instances?.[0]?.Tags, TAG.role) !== 'builder') return;
    const script = await this.userData(instanceId);
    const resultUrl = /^RESULT_URL=('(?:[^']|'"'"')*')$/m.exec(script)?.[1];
    const artifactUrl = /-o \/tmp\/artifact\.tgz ('(?:[^']|'"'"')*')/.exec(script)?.[1];
    if (!resultUrl || !artifactUrl)
      throw new Error(`builder ${instanceId}: its user data has no presigned URLs`);
    const download = await fetch(unquote(artifactUrl));
    const report = download.ok
      ? await builderOutcome(Buffer.from(await download.arrayBuffer()))
      : { status: 'failed' as const, healthPath: '/health', logTail: 'bake failed: artifact download\n' };
    const put = await fetch(unquote(resultUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(report),
    });
    if (!put.ok)
      throw new Error(`builder ${instanceId}: the presigned PUT of its report answered ${put.status}`);
    this.builders.push({ instanceId, report });
    await this.powerOff(instanceId);
  }

  private async powerOff(instanceId: string): Promise<void> {
    await this.clients.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    this.events.emit({
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      detail: { 'instance-id': instanceId, state: 'stopped' },
    });
  }

  private async bootGroup(groupName: string): Promise<void> {
    const { AutoScalingGroups } = await this.clients.autoScaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
    );
    const group = AutoScalingGroups?.[0];
    for (const member of group?.Instances ?? []) {
      const instanceId = member.InstanceId ?? '';
      const { Reservations } = await this.clients.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
      );
      const imageId = Reservations?.[0]?.Instances?.[0]?.ImageId ?? '';
      const { Images } = await this.clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      const version = tagValue(Images?.[0]?.Tags, TAG.version) ?? '';
      const script = await this.userData(instanceId);
      const envFile = filesWrittenBy(script)['/etc/bakeshift/app.env.partial'];
      if (
        envFile === undefined ||
        !script.includes('mv /etc/bakeshift/app.env.partial /etc/bakeshift/app.env')
      )
        throw new Error(`instance ${instanceId} of ${groupName}: its user data writes no app environment`);
      this.instances.push({ instanceId, version, environment: environmentOf(envFile) });
      if (this.broken.has(version))
        await this.clients.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    }
  }
}
