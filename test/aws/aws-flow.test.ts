import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsArns, awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

let dynamo: LocalDynamoDb;
let cloud: SimulatedCloud | undefined;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(async () => {
  await dynamo.close();
});
afterEach(() => {
  cloud?.detach();
});

describe('deployments with the AWS adapters over the simulated cloud', () => {
  it('bakes an AMI without SSH, launches an Auto Scaling group and shifts the ALB, then reaps blue', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    expect(v1.outcome).toMatchObject({ status: 'SUCCEEDED' });
    const v2 = await world.deploy({ version: '2.0.0' });
    expect(v2.outcome).toMatchObject({ status: 'SUCCEEDED' });

    const arns = awsArns('staging');
    const [builder] = cloud.inputsOf('RunInstances');
    expect(builder).toMatchObject({
      ImageId: 'ami-base',
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [{ Ebs: { Encrypted: true } }],
      SecurityGroupIds: ['sg-builder-no-inbound'],
      InstanceInitiatedShutdownBehavior: 'stop',
    });
    expect(builder).not.toHaveProperty('KeyName');
    expect(builder).not.toHaveProperty('IamInstanceProfile');
    expect(builder.TagSpecifications[0].Tags).toEqual(
      expect.arrayContaining([
        { Key: 'managed-by', Value: 'bakeshift' },
        { Key: 'bakeshift:role', Value: 'builder' },
      ]),
    );
    expect(cloud.liveInstances('builder').filter((i) => i.state !== 'shutting-down')).toEqual([]);

    const images = cloud.inputsOf('CreateImage');
    expect(images[0].TagSpecifications.map((t: { ResourceType: string }) => t.ResourceType)).toEqual([
      'image',
      'snapshot',
    ]);
    expect(images[0].TagSpecifications[0].Tags).toEqual(
      expect.arrayContaining([{ Key: 'bakeshift:bake-key', Value: v1.record?.bakeKey }]),
    );

    const [, template] = cloud.inputsOf('CreateLaunchTemplateVersion');
    expect(template.LaunchTemplateData).toMatchObject({
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [{ Ebs: { Encrypted: true } }],
      IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/bakeshift-web' },
    });
    const groups = cloud.inputsOf('CreateAutoScalingGroup');
    expect(groups.map((g) => g.TargetGroupARNs[0])).toEqual(arns.targetGroupArns);
    expect(groups[1]).toMatchObject({ HealthCheckType: 'ELB', MinSize: 1, DesiredCapacity: 2, MaxSize: 4 });

    expect(cloud.forwardWeights(arns.listenerArn)).toEqual({ [arns.targetGroupArns[1]]: 100 });
    expect([...cloud.groups.values()].map((g) => g.name)).toEqual([
      expect.stringContaining('bakeshift-web-staging-2.0.0-'),
    ]);
    expect(cloud.inputsOf('DetachTrafficSources')).toHaveLength(1);
    expect(cloud.inputsOf('UpdateAutoScalingGroup')).toEqual([]);
  });

  it('shifts a weighted listener 10% → 50% → 100% with the exact forward action, blue and green by slot', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    expect((await setup.world.deploy({ version: '1.0.0', environment: 'prod' })).outcome.status).toBe(
      'SUCCEEDED',
    );
    expect((await setup.world.deploy({ version: '2.0.0', environment: 'prod' })).outcome.status).toBe(
      'SUCCEEDED',
    );
    const {
      listenerArn,
      targetGroupArns: [a, b],
    } = awsArns('prod');
    const forwards = cloud
      .inputsOf('ModifyListener')
      .filter((m) => m.ListenerArn === listenerArn)
      .map((m) => m.DefaultActions);
    const forward = (groups: [string, number][]) => [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })),
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ];
    expect(forwards).toEqual([
      forward([[a, 100]]),
      forward([
        [a, 90],
        [b, 10],
      ]),
      forward([
        [a, 50],
        [b, 50],
      ]),
      forward([[b, 100]]),
    ]);
  });

  it('restores exactly the recorded listener action when green fails at 10%', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    expect((await setup.world.deploy({ version: '1.0.0', environment: 'prod' })).outcome.status).toBe(
      'SUCCEEDED',
    );
    const { listenerArn } = awsArns('prod');
    const recorded = structuredClone(cloud.listeners.get(listenerArn));
    setup.world.faults.push({ stateName: 'CheckGreenAtWeight', when: 'before' });
    const run = await setup.world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(run.outcome.status).toBe('FAILED');
    expect(cloud.inputsOf('ModifyListener').at(-1)).toEqual({
      ListenerArn: listenerArn,
      DefaultActions: recorded,
    });
    expect(cloud.listeners.get(listenerArn)).toEqual(recorded);
    expect(run.record?.trafficBefore?.native).toBe(JSON.stringify(recorded));
  });

  it('copies min, desired and max from blue’s current group when blue has scaled out, and never changes blue', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    expect((await setup.world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    const [blue] = [...cloud.groups.values()];
    if (!blue) throw new Error('no blue group');
    Object.assign(blue, { desired: 5, max: 8 });
    expect((await setup.world.deploy({ version: '2.0.0' })).outcome.status).toBe('SUCCEEDED');

    expect(cloud.inputsOf('CreateAutoScalingGroup').at(-1)).toMatchObject({
      MinSize: 1,
      DesiredCapacity: 5,
      MaxSize: 8,
    });
    expect(cloud.inputsOf('UpdateAutoScalingGroup')).toEqual([]);
    expect(cloud.inputsOf('DeleteAutoScalingGroup')).toEqual([
      { AutoScalingGroupName: blue.name, ForceDelete: true },
    ]);
  });

  it('deregisters AMIs beyond retention with their snapshots, keeping the live and recent ones', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    for (const version of ['1.0.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0']) {
      expect((await setup.world.deploy({ version })).outcome.status).toBe('SUCCEEDED');
    }
    const versionOf = (tags: { Key?: string; Value?: string }[]) =>
      tags.find((t) => t.Key === 'bakeshift:version')?.Value;
    const kept = [...cloud.images.values()].filter((i) => i.id !== 'ami-base');
    expect(kept.map((i) => versionOf(i.tags)).sort()).toEqual(['3.0.0', '4.0.0', '5.0.0']);
    const deregistered = cloud.inputsOf('DeregisterImage').map((i) => i.ImageId);
    expect(deregistered).toHaveLength(2);
    // Snapshots go with their image (DeleteSnapshot right after DeregisterImage races "in use").
    expect(cloud.inputsOf('DeregisterImage').every((i) => i.DeleteAssociatedSnapshots === true)).toBe(true);
    expect(cloud.inputsOf('DeleteSnapshot')).toHaveLength(0);
    expect([...cloud.snapshots]).toHaveLength(3);
  });
});

describe('rollback-labelled executions on AWS', () => {
  it('fail closed before anything is built or shifted when their image is not a release the environment served', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    expect(v1.outcome.status).toBe('SUCCEEDED');
    const calls = cloud.calls.length;
    const forged = await world.deploy({ version: '1.0.0', trigger: 'rollback', imageId: 'ami-forged' });
    expect(forged.outcome).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(forged.outcome.cause).toContain('a rollback must return to a release web/staging served before');
    expect(forged.record).toBeUndefined();
    // Nothing launched, shifted or written in the cloud: only the release table was read.
    const made = cloud.calls.slice(calls).map((c) => c.name);
    expect(made.filter((name) => !/^(Query|GetItem|GetParameter)$/.test(name))).toEqual([]);
    expect((await world.store.getLiveRelease('web', 'staging'))?.deploymentId).toBe(v1.request.deploymentId);
  });
});

describe('health checks on AWS', () => {
  it("judge green by its own instances: an old fleet's healthy targets left in green's slot do not make it healthy", async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    // Green takes the free slot, where a previous fleet's two instances are still registered and healthy.
    const [, freeSlot] = awsArns('staging').targetGroupArns;
    for (const id of ['i-0ld00001', 'i-0ld00002'])
      cloud.targetGroups.get(freeSlot)?.targets.set(id, { state: 'healthy', steps: 0, imageId: 'ami-old' });
    // Green's own instances never pass their health checks.
    const original = cloud.onEvent;
    cloud.onEvent = (event) => {
      if (event['detail-type'] === 'EC2 AMI State Change')
        cloud?.unhealthyImages.add(String(event.detail.ImageId));
      original(event);
    };
    world.advanceOnCall.AwaitGreenHealthy = 60;
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'HealthCheckFailed' });
    expect(v2.record?.failure?.step).toBe('AwaitGreenHealthy');
    // No traffic ever moved to green: the listener was modified by 1.0.0's shift alone.
    const listenerArn = awsArns('staging').listenerArn;
    expect(cloud.inputsOf('ModifyListener').filter((m) => m.ListenerArn === listenerArn)).toHaveLength(1);
  });

  it("cost two calls per check, whatever the fleet's size: its group (its instances now) and their target health", async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    expect((await setup.world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    const health = setup.world.ports().health;
    const fleetId = (await setup.world.store.getLiveRelease('web', 'staging'))?.fleetId ?? '';
    const before = cloud.calls.length;
    for (let i = 0; i < 5; i++) await health.check({ service: 'web', environment: 'staging', fleetId });
    expect(cloud.calls.slice(before).map((c) => c.name)).toEqual(
      Array(5).fill(['DescribeAutoScalingGroups', 'DescribeTargetHealth']).flat(),
    );
    // Only the fleet's own instances are asked about.
    const [group] = cloud.groups.values();
    expect(cloud.inputsOf('DescribeTargetHealth').at(-1).Targets).toEqual(
      group?.instances.map((Id) => ({ Id })),
    );
  });
});
