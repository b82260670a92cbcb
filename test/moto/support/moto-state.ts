import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { expect } from 'vitest';
import { TAG, tagValue } from '../../../aws/commons/tags.js';
import { DynamoDbReleaseStore } from '../../../shared-adapters/release-store/dynamodb-release-store.js';
import type { MotoWorld } from './moto-world.js';
import { motoClientConfig } from './stack-in-moto.js';
import { stepFunctionsAnswerProblems } from './step-functions-model.js';

const MANAGED = [{ Name: `tag:${TAG.managedBy}`, Values: ['bakeshift'] }];
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** The AWS of a world as bakeshift sees it (through the shims). */
export function worldClients(world: MotoWorld) {
  const config = motoClientConfig(world.front.endpoint);
  return {
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    ssm: new SSMClient(config),
    store: new DynamoDbReleaseStore(new DynamoDBClient(config), world.stack.outputs.ReleaseTableName ?? ''),
  };
}

export async function environmentSettings(world: MotoWorld, service: string, environment: string) {
  const { Parameter } = await worldClients(world).ssm.send(
    new GetParameterCommand({ Name: `/bakeshift/services/${service}/${environment}` }),
  );
  return JSON.parse(Parameter?.Value ?? '{}') as {
    listenerArn: string;
    previewListenerArn: string;
    targetGroupArns: [string, string];
  };
}

/** Everything tagged managed-by=bakeshift in moto, and each environment's listeners. */
export async function bakeshiftResources(world: MotoWorld) {
  const { ec2, autoScaling } = worldClients(world);
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [...MANAGED, { Name: 'instance-state-name', Values: LIVE_STATES }],
    }),
  );
  const { AutoScalingGroups: groups = [] } = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({
      Filters: [{ Name: `tag:${TAG.managedBy}`, Values: ['bakeshift'] }],
    }),
  );
  const { Images: images = [] } = await ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: MANAGED }),
  );
  const { Snapshots: snapshots = [] } = await ec2.send(
    new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: MANAGED }),
  );
  const { LaunchTemplates = [] } = await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: MANAGED }));
  const versions = [];
  for (const template of LaunchTemplates) {
    const { LaunchTemplateVersions = [] } = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.LaunchTemplateId }),
    );
    versions.push(...LaunchTemplateVersions.filter((v) => !v.DefaultVersion));
  }
  return { instances: Reservations.flatMap((r) => r.Instances ?? []), groups, images, snapshots, versions };
}

/** The listener's default actions: `forward` to the target groups with weight > 0, or the fixed answer. */
async function listenerTargets(world: MotoWorld, listenerArn: string): Promise<string[] | 'fixed-response'> {
  const { Listeners } = await worldClients(world).elb.send(
    new DescribeListenersCommand({ ListenerArns: [listenerArn] }),
  );
  const action = Listeners?.[0]?.DefaultActions?.[0];
  if (action?.Type === 'fixed-response') return 'fixed-response';
  const groups =
    action?.ForwardConfig?.TargetGroups ??
    (action?.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : []);
  return groups.filter((g) => (g.Weight ?? 1) > 0).map((g) => g.TargetGroupArn ?? '');
}

/**
 * moto's state, whole, after a scenario: each environment's live release (or none) is all there is. Its group
 * alone (with its launch template version, its instances healthy in its target group, the listener forwarding
 * to that group only, the preview listener reaching no other instance); no builder; AMIs only those the
 * retention keeps, each with its snapshots and no other; no deployment in progress and no lock held; every
 * answer given in Step Functions' name one its model allows; no stand-in or shim failed.
 */
export async function expectNothingLeaks(
  world: MotoWorld,
  service: string,
  environments: string[],
  retention = 2,
) {
  await world.settled();
  const { store, elb } = worldClients(world);
  const resources = await bakeshiftResources(world);
  const live = new Map<string, Awaited<ReturnType<typeof store.getLiveRelease>>>();
  for (const environment of environments)
    live.set(environment, await store.getLiveRelease(service, environment));
  const liveFleets = [...live.values()].flatMap((r) => (r ? [r.fleetId] : []));

  expect(resources.groups.map((g) => tagValue(g.Tags, TAG.fleet)).sort()).toEqual([...liveFleets].sort());
  expect(resources.versions.map((v) => v.VersionDescription).sort()).toEqual([...liveFleets].sort());
  const groupInstances = new Set(
    resources.groups.flatMap((g) => (g.Instances ?? []).map((i) => i.InstanceId)),
  );
  // No builder, no instance of a group that is gone.
  expect(
    resources.instances
      .filter((i) => !groupInstances.has(i.InstanceId))
      .map((i) => [i.InstanceId, tagValue(i.Tags, TAG.role) ?? tagValue(i.Tags, TAG.fleet)]),
  ).toEqual([]);

  const liveImages = [...live.values()].flatMap((r) => (r ? [r.imageId] : []));
  const imageIds = resources.images.map((i) => i.ImageId ?? '');
  for (const image of liveImages) expect(imageIds).toContain(image);
  expect(
    imageIds.length,
    `images: ${resources.images.map((i) => `${i.ImageId} ${tagValue(i.Tags, TAG.version)} ${i.CreationDate}`).join('; ')}`,
  ).toBeLessThanOrEqual(Math.max(retention, liveImages.length));
  const imageSnapshots = new Set(
    resources.images.flatMap((i) => (i.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId)),
  );
  expect(
    resources.snapshots.filter((s) => !imageSnapshots.has(s.SnapshotId)).map((s) => s.SnapshotId),
  ).toEqual([]);

  for (const environment of environments) {
    const settings = await environmentSettings(world, service, environment);
    const release = live.get(environment);
    const group = resources.groups.find((g) => tagValue(g.Tags, TAG.fleet) === release?.fleetId);
    const listener = await listenerTargets(world, settings.listenerArn);
    if (!release || !group) {
      expect(listener).toBe('fixed-response');
      continue;
    }
    expect(listener).toEqual(group.TargetGroupARNs);
    const { TargetHealthDescriptions = [] } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupARNs?.[0] }),
    );
    const healthy = TargetHealthDescriptions.filter((d) => d.TargetHealth?.State === 'healthy').map(
      (d) => d.Target?.Id,
    );
    expect(healthy.sort()).toEqual((group.Instances ?? []).map((i) => i.InstanceId).sort());
    // The other slot serves nobody.
    const other = settings.targetGroupArns.find((arn) => !group.TargetGroupARNs?.includes(arn));
    const { TargetHealthDescriptions: stale = [] } = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: other }),
    );
    expect(
      stale.filter((d) => d.TargetHealth?.State === 'healthy'),
      `${other}: ${JSON.stringify(stale)}`,
    ).toEqual([]);
    expect(await store.lockHolder(service, environment)).toBeUndefined();
  }
  // The preview listeners reach nothing of an attempt that ended: a fixed answer, or live instances only.
  const liveInstances = new Set(
    resources.groups.flatMap((g) => (g.Instances ?? []).map((i) => i.InstanceId ?? '')),
  );
  for (const environment of environments) {
    const preview = await listenerTargets(
      world,
      (await environmentSettings(world, service, environment)).previewListenerArn,
    );
    for (const targetGroup of preview === 'fixed-response' ? [] : preview) {
      const { TargetHealthDescriptions = [] } = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: targetGroup }),
      );
      const reached = TargetHealthDescriptions.filter((d) => d.TargetHealth?.State === 'healthy');
      expect(reached.map((d) => d.Target?.Id).filter((id) => !liveInstances.has(id ?? ''))).toEqual([]);
    }
  }
  for (const environment of environments) {
    const records = await store.listDeployments(service, environment, 50);
    expect(records.filter((r) => r.status === 'in_progress' || r.status === 'compensating')).toEqual([]);
  }
  expect(stepFunctionsAnswerProblems(world.stepFunctions.answers)).toEqual([]);
  expect(world.front.failures).toEqual([]);
  expect(world.events.failed).toEqual([]);
  expect(world.machines.failures).toEqual([]);
}
