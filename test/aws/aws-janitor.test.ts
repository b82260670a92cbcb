import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runAwsJanitor } from '../../aws/janitor/aws-janitor.js';
import { AWS_JANITOR_IAM } from '../../aws/janitor/iam.js';
import { inspectLiveFleet } from '../../core/congruence/inspect-live-fleet.js';
import type { JanitorReport } from '../../core/releases/run-janitor.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsArns, awsWorld } from '../support/aws-world.js';
import { launchForgottenBuilder } from '../support/forgotten-builder.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };
const fleetTag = (tags: { Key?: string; Value?: string }[]) =>
  tags.find((t) => t.Key === 'bakeshift:fleet')?.Value;
const clients = {
  ec2: new EC2Client({ region: 'us-east-1', credentials }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1', credentials }),
};

describe('the janitor on the simulated cloud', () => {
  it('removes a blue group a failed reap left and a forgotten builder, never the live release', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    world.faults.push({ stateName: 'ReapBlue', when: 'before' });
    const v2 = await world.deploy({ version: '2.0.0' });
    expect(v2.outcome.status).toBe('SUCCEEDED');
    expect(v2.record?.warnings.join()).toContain('ReapBlue failed');
    // Blue's drain, which the records say began at DrainBlue, is over (the flow's waits take no fake time).
    world.clock.advance(31);
    await launchForgottenBuilder(clients.ec2);
    const forgotten = cloud
      .liveInstances('builder')
      .find((i) => i.tags.some((t) => t.Value === 'web-staging-long-gone'));
    const deps = { clients, ...world.ports() };
    const callsBefore = cloud.calls.length;

    const dryRun = await runAwsJanitor(deps, 'web', { dryRun: true });
    expect(dryRun.removed).toEqual(
      expect.arrayContaining([
        { kind: 'fleet', id: v1.request.deploymentId },
        { kind: 'builder', id: forgotten?.id },
      ]),
    );
    expect(dryRun.removed).toHaveLength(2);
    expect(cloud.groups.size).toBe(2);

    await runAwsJanitor(deps, 'web', { dryRun: false });
    // Its own role (AWS_JANITOR_IAM) allows every call it made, and it launched or created nothing.
    const granted = new Set(AWS_JANITOR_IAM.flatMap((statement) => statement.actions));
    const made = new Set(cloud.calls.slice(callsBefore).map((c) => `${c.service}:${c.name}`));
    expect(made).toContain('ec2:TerminateInstances');
    expect([...made].filter((action) => !granted.has(action))).toEqual([]);
    const groups = [...cloud.groups.values()];
    expect(groups.map((g) => fleetTag(g.tags))).toEqual([v2.request.deploymentId]);
    expect(cloud.liveInstances('builder').filter((i) => i.state !== 'shutting-down')).toEqual([]);
    expect(cloud.forwardWeights(awsArns('staging').listenerArn)).toEqual({
      [groups[0]?.targetGroupArns[0] ?? '']: 100,
    });
    expect([...cloud.images.keys()]).toContain(v2.record?.imageId);
  });

  it('congruence rebuilds on a new base AMI, and reuses the image (with fresh instances) when nothing changed', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    const unchanged = await world.deploy({ version: '1.0.0', trigger: 'congruence' });
    expect(unchanged.outcome.status).toBe('SUCCEEDED');
    expect(unchanged.record).toMatchObject({ imageReused: true, imageId: v1.record?.imageId });
    expect(
      [...cloud.groups.values()].map((g) => g.tags.find((t) => t.Key === 'bakeshift:fleet')?.Value),
    ).toEqual([unchanged.request.deploymentId]);

    cloud.addImage('ami-newer-base');
    cloud.parameters.set(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      'ami-newer-base',
    );
    const rebuilt = await world.deploy({ version: '1.0.0', trigger: 'congruence' });
    expect(rebuilt.outcome.status).toBe('SUCCEEDED');
    expect(rebuilt.record?.imageReused).toBe(false);
    expect(cloud.inputsOf('RunInstances').at(-1)).toMatchObject({ ImageId: 'ami-newer-base' });
  });

  it('reports drift of a live fleet: capacity and launch template changed by hand, a stray target, a newer base', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    const live = await world.store.getLiveRelease('web', 'staging');
    if (!live?.artifact) throw new Error('no live release with an artifact');
    const liveWithArtifact = { ...live, artifact: live.artifact };
    const baseImage = (await world.configs.load('web')).config.bake.baseImage;

    const congruent = await inspectLiveFleet(world.ports(), liveWithArtifact, baseImage);
    expect(congruent.findings).toEqual([]);
    expect(congruent.instances).toHaveLength(live.capacity.desired);
    expect(new Set(congruent.instances.map((i) => i.imageId))).toEqual(new Set([v1.record?.imageId]));

    const [group] = [...cloud.groups.values()];
    if (!group) throw new Error('no group');
    group.desired += 1;
    // Someone points the group at a launch template version of their own (a bigger instance type, say).
    const { LaunchTemplateVersion } = await clients.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: group.launchTemplate.name,
        VersionDescription: 'bigger instances, by hand',
        LaunchTemplateData: { ImageId: v1.record?.imageId, InstanceType: 'm7g.large' },
      }),
    );
    group.launchTemplate.version = LaunchTemplateVersion?.VersionNumber ?? 0;
    const slot = cloud.targetGroups.get(group.targetGroupArns[0] ?? '');
    slot?.targets.set('i-by-hand', { state: 'healthy', steps: 0, imageId: 'ami-unknown' });
    cloud.addImage('ami-newer-base');
    cloud.parameters.set(
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      'ami-newer-base',
    );
    const drifted = await inspectLiveFleet(world.ports(), liveWithArtifact, baseImage);
    expect(drifted.findings.map((f) => f.kind)).toEqual([
      'capacity_changed',
      'launch_configuration_changed',
      'instance_count',
      'unmanaged_target',
      'stale_base_image',
    ]);
    expect(drifted.findings[1]?.detail).toContain(
      '(bigger instances, by hand), not the version bakeshift made',
    );
    expect(drifted.findings[3]?.detail).toContain('i-by-hand');
  });
});

describe('the janitor on the simulated cloud, and what the load balancer routes to (ADR 32)', () => {
  const groupOf = (fleetId: string) =>
    [...(cloud?.groups.values() ?? [])].find((g) => fleetTag(g.tags) === fleetId);

  it('keeps green, and its image, when RestoreTraffic failed for good and the listener forwards all to green', async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    await world.deploy({ version: '1.0.0' });
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RestoreTraffic', when: 'before' },
    );
    const v2 = await world.deploy({ version: '2.0.0' });
    expect(v2.outcome.status).toBe('FAILED');
    expect(v2.record?.status).toBe('rolled_back');
    const green = v2.request.deploymentId;
    const slot = groupOf(green)?.targetGroupArns[0] ?? '';
    expect(cloud.forwardWeights(awsArns('staging').listenerArn)).toEqual({ [slot]: 100 });

    const report = await runAwsJanitor({ clients, ...world.ports() }, 'web', { dryRun: false });

    expect(report.removed.map((r) => r.id)).not.toContain(green);
    expect(groupOf(green)).toBeDefined();
    expect(report.kept.find((k) => k.id === green)?.why).toContainEqual(
      expect.stringMatching(/^listener: \S+ \(default rule\) forwards weight 100\/100 to /),
    );
    expect([...cloud.images.keys()]).toContain(v2.record?.imageId);
  });

  it.each([
    ['its configuration', false, false],
    ['its configuration and its SSM parameter', true, false],
    ['its configuration, its launch template deleted by hand', false, true],
  ])(
    'keeps a group serving an environment dropped from %s, its image and its launch template, through PruneImages and the janitor',
    async (_what, parameterGone, templateGone) => {
      const setup = await awsWorld(dynamo);
      cloud = setup.cloud;
      const { world } = setup;
      await world.deploy({ version: '1.0.0' });
      world.faults.push(
        { stateName: 'WatchGreen', when: 'before' },
        { stateName: 'RestoreTraffic', when: 'before' },
      );
      const v2 = await world.deploy({ version: '2.0.0' });
      world.faults.length = 0;
      const green = v2.request.deploymentId;
      const greenImage = v2.record?.imageId ?? '';
      const slot = groupOf(green)?.targetGroupArns[0] ?? '';
      const listener = awsArns('staging').listenerArn;
      expect(cloud.forwardWeights(listener)).toEqual({ [slot]: 100 });
      const template = groupOf(green)?.launchTemplate;
      // staging leaves the configuration while green serves it; prod moves on past the retained count.
      const { config } = await world.configs.load('web');
      const { staging: _dropped, ...others } = config.environments;
      world.configs.set('web', { ...config, environments: others });
      if (parameterGone) cloud.parameters.delete('/bakeshift/services/web/staging');
      // The group's instances still run green's image: it is read from them.
      if (templateGone) cloud.launchTemplates.delete(template?.name ?? '');
      for (const version of ['3.0.0', '4.0.0', '5.0.0', '6.0.0'])
        expect((await world.deploy({ version, environment: 'prod' })).outcome.status).toBe('SUCCEEDED');
      expect([...cloud.images.keys()]).toContain(greenImage);

      const report = await runAwsJanitor({ clients, ...world.ports() }, 'web', { dryRun: false });
      expect(report.removed.map((r) => r.id)).not.toContain(green);
      expect(report.removed.map((r) => r.id)).not.toContain(greenImage);
      expect(groupOf(green)?.launchTemplate).toEqual(template);
      expect([...cloud.images.keys()]).toContain(greenImage);
      expect(cloud.forwardWeights(listener)).toEqual({ [slot]: 100 });
    },
  );

  it('leaves blue to the deployment draining it, when it runs during WaitForBlueDrain', async () => {
    const setup = await awsWorld(dynamo, { timing: { waitMs: { WaitForBlueDrain: 1500 } } });
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    const blue = v1.request.deploymentId;
    const execution = world.start(world.request({ version: '2.0.0' }));
    const order: string[] = [];
    let janitor: Promise<JanitorReport> | undefined;
    let blueAfterJanitor = false;
    execution.onEvent((event) => {
      if (event.type !== 'StateEntered') return;
      if (event.state.name === 'WaitForBlueDrain')
        janitor = runAwsJanitor({ clients, ...world.ports() }, 'web', { dryRun: false }).then((report) => {
          blueAfterJanitor = groupOf(blue) !== undefined;
          order.push('janitor ended');
          return report;
        });
      if (event.state.name === 'ReapBlue') order.push('ReapBlue');
    });
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    const report = await janitor;

    expect(order).toEqual(['janitor ended', 'ReapBlue']);
    expect(blueAfterJanitor).toBe(true);
    expect(report?.removed.filter((r) => r.kind === 'fleet')).toEqual([]);
    expect(report?.kept.find((k) => k.id === blue)?.why).toContainEqual(
      expect.stringMatching(/^blue of deployment \S+, which still holds the staging lock$/),
    );
    expect(groupOf(blue)).toBeUndefined();
  });

  it("reads every page of the listener's rules, and the slots' draining targets", async () => {
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    const v1 = await world.deploy({ version: '1.0.0' });
    world.faults.push({ stateName: 'ReapBlue', when: 'before' });
    expect((await world.deploy({ version: '2.0.0' })).record?.warnings.join()).toContain('ReapBlue failed');
    world.clock.advance(31);
    const blue = v1.request.deploymentId;
    const blueGroup = groupOf(blue);
    if (!blueGroup) throw new Error('the failed reap left no blue group');
    const { listenerArn, targetGroupArns } = awsArns('staging');
    const freeSlot = targetGroupArns.find((arn) => !cloud?.forwardWeights(listenerArn)[arn]) ?? '';
    const dryRun = () => runAwsJanitor({ clients, ...world.ports() }, 'web', { dryRun: true });
    const whyKept = (report: JanitorReport) => report.kept.find((k) => k.id === blue)?.why;

    // By hand: blue attached to the free slot again, which the third of three rules forwards /beta to.
    blueGroup.targetGroupArns = [freeSlot];
    const rule = (priority: number, action: Action) => ({
      RuleArn: `${listenerArn.replace(':listener/', ':listener-rule/')}/r${priority}`,
      Priority: String(priority),
      Conditions: [{ Field: 'path-pattern', Values: [`/beta${priority}`] }],
      Actions: [action],
      IsDefault: false,
    });
    const fixed: Action = { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } };
    cloud.listenerRules.set(listenerArn, [
      rule(1, fixed),
      rule(2, fixed),
      rule(3, {
        Type: 'forward',
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: freeSlot, Weight: 1 }] },
      }),
    ]);
    cloud.pageSizes.DescribeRules = 1;
    expect(whyKept(await dryRun())).toEqual([
      `listener: ${listenerArn} (rule 3) forwards weight 1/1 to ${freeSlot}`,
    ]);
    expect(cloud.inputsOf('DescribeRules').some((i) => i.Marker === '3')).toBe(true);

    // Detached again, one of its instances still draining from the slot for a minute.
    cloud.listenerRules.clear();
    blueGroup.targetGroupArns = [];
    const [instance = ''] = blueGroup.instances;
    cloud.targetGroups.get(freeSlot)?.targets.set(instance, {
      state: 'draining',
      steps: 0,
      imageId: 'ami-blue',
      drainingUntil: cloud.now().getTime() + 60_000,
    });
    expect(whyKept(await dryRun())).toEqual([`draining: instance ${instance} is draining from ${freeSlot}`]);

    cloud.targetGroups.get(freeSlot)?.targets.clear();
    expect((await dryRun()).removed).toContainEqual({ kind: 'fleet', id: blue });
  });
});
