import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { TAG } from '../../aws/commons/tags.js';
import type { JanitorReport } from '../../core/releases/run-janitor.js';
import { bakeshiftOnAws } from '../support/operator-stand-ins.js';
import { bakeshiftResources, expectNothingLeaks, worldClients } from './support/moto-state.js';
import type { MotoWorld } from './support/moto-world.js';
import { approve, bakeshift, executionOf, PEOPLE, prodChecks } from './support/operator-cli.js';
import { helloApp, motoScenario, statesOf, upload } from './support/scenario.js';
import { motoClientConfig } from './support/stack-in-moto.js';

/*
 * The operator's other operations on moto, through the CLI (`--target aws`): promote, rollback, a congruence run
 * on a fleet changed by hand, the janitor. Each ends with moto's state checked whole.
 */

async function deployed(world: MotoWorld, environment: string, version: string) {
  const execution = await upload(world, environment, version);
  expect((await execution.outcome).status).toBe('SUCCEEDED');
  const live = await worldClients(world).store.getLiveRelease('web', environment);
  if (!live) throw new Error(`nothing live in ${environment} after ${version}`);
  return live;
}

async function groupsOf(world: MotoWorld, fleetId: string) {
  const { AutoScalingGroups = [] } = await worldClients(world).autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${TAG.fleet}`, Values: [fleetId] }] }),
  );
  return AutoScalingGroups;
}

async function liveGroup(world: MotoWorld, fleetId: string) {
  const [group] = await groupsOf(world, fleetId);
  if (!group) throw new Error(`no group for fleet ${fleetId}`);
  return group;
}

describe('operations on moto, with the operator CLI', () => {
  it("promote: staging's live image goes to prod as it is (no bake), approved through the decision URL", async () => {
    const world = await motoScenario();
    await prodChecks(world, { passed: true });
    const staging = await deployed(world, 'staging', '1.0.0');
    const promoted = await bakeshift<{ deploymentId: string; version: string; imageId: string }>(
      world,
      PEOPLE.deployer,
      'promote',
      'web',
      '--from',
      'staging',
      '--to',
      'prod',
    );
    expect(promoted).toMatchObject({ version: '1.0.0', imageId: staging.imageId });
    await approve(world, promoted.deploymentId);
    const execution = await executionOf(world, promoted.deploymentId);
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(statesOf(execution)).not.toContain('BakeImage');
    expect(world.machines.builders).toHaveLength(1);
    const prod = await worldClients(world).store.getLiveRelease('web', 'prod');
    expect(prod).toMatchObject({ version: '1.0.0', imageId: staging.imageId });
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('rollback: back to the previous release, its image redeployed by blue/green', async () => {
    const world = await motoScenario();
    const first = await deployed(world, 'staging', '1.0.0');
    await deployed(world, 'staging', '2.0.0');
    const rolled = await bakeshift<{ kind: string; deploymentId: string; version: string; imageId: string }>(
      world,
      PEOPLE.deployer,
      'rollback',
      'web',
      '--env',
      'staging',
    );
    // Blue is not kept warm here (keepBlueWarmSeconds 0): a redeploy of 1.0.0's image.
    expect(rolled).toMatchObject({ kind: 'redeploy', version: '1.0.0', imageId: first.imageId });
    const execution = await executionOf(world, rolled.deploymentId);
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(statesOf(execution)).not.toContain('BakeImage');
    const live = await worldClients(world).store.getLiveRelease('web', 'staging');
    expect(live).toMatchObject({ version: '1.0.0', imageId: first.imageId });
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('congruence: the drift of a fleet changed by hand is reported, and the fleet rebuilt', async () => {
    const world = await motoScenario();
    const live = await deployed(world, 'staging', '1.0.0');
    const { autoScaling, elb, store } = worldClients(world);
    const group = await liveGroup(world, live.fleetId);
    // By hand: the group's minimum lowered, one of its instances taken out of its target group.
    await autoScaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group.AutoScalingGroupName, MinSize: 0 }),
    );
    const [taken] = group.Instances ?? [];
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: group.TargetGroupARNs?.[0],
        Targets: [{ Id: taken?.InstanceId }],
      }),
    );

    const run = await bakeshift<{ deploymentId: string }>(
      world,
      PEOPLE.deployer,
      'congruence',
      'web',
      '--env',
      'staging',
    );
    const execution = await executionOf(world, run.deploymentId);
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    const record = await store.getDeployment(run.deploymentId);
    expect(record).toMatchObject({ trigger: 'congruence', version: '1.0.0' });
    expect(record?.drift?.findings.map((f) => f.kind).sort()).toEqual([
      'capacity_changed',
      'instance_not_registered',
    ]);
    expect(record?.drift?.findings.find((f) => f.kind === 'instance_not_registered')?.detail).toContain(
      taken?.InstanceId,
    );
    // Rebuilt: the same artifact on the same base, so the same image, on a new fleet with the configured minimum.
    const rebuilt = await store.getLiveRelease('web', 'staging');
    expect(rebuilt?.imageId).toBe(live.imageId);
    expect(rebuilt?.fleetId).not.toBe(live.fleetId);
    const fresh = await liveGroup(world, rebuilt?.fleetId ?? '');

    expect([fresh.MinSize, fresh.DesiredCapacity, fresh.MaxSize]).toEqual([1, 2, 4]);
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('janitor: a blue group a failed reap left goes after the deployment; then a forgotten builder and a half-made launch', async () => {
    const world = await motoScenario();
    const first = await deployed(world, 'staging', '1.0.0');
    world.stepFunctions.failing.add('ReapBlue');
    const second = await upload(world, 'staging', '2.0.0');
    expect((await second.outcome).status).toBe('SUCCEEDED');
    world.stepFunctions.failing.delete('ReapBlue');
    const { ec2, ssm, store } = worldClients(world);
    expect((await store.getDeployment(second.name))?.warnings.join()).toContain('ReapBlue failed');
    // The stack's rule runs the janitor when a deployment ends: it removes the group ReapBlue left.
    await world.settled();
    expect(world.events.delivered.map((d) => d.target)).toContain('RunJanitor');
    expect(await groupsOf(world, first.fleetId)).toEqual([]);

    // Left since: a builder whose bake is long gone, and a launch that stopped after its template version.
    const { Parameter } = await ssm.send(
      new GetParameterCommand({
        Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      }),
    );
    // Straight to moto, past the machines' stand-in: this builder booted long ago, none boots it now.
    const { Instances = [] } = await new EC2Client(motoClientConfig(world.deployed.motoEndpoint)).send(
      new RunInstancesCommand({
        ImageId: Parameter?.Value,
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: TAG.managedBy, Value: 'bakeshift' },
              { Key: TAG.role, Value: 'builder' },
              { Key: TAG.service, Value: 'web' },
              { Key: TAG.deployment, Value: 'web-staging-long-gone' },
            ],
          },
        ],
      }),
    );
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: 'bakeshift-web-staging',
        VersionDescription: 'web-staging-half-launched',
        LaunchTemplateData: { ImageId: first.imageId, InstanceType: 't3.micro' },
      }),
    );
    const leftovers = [
      { kind: 'builder', id: Instances[0]?.InstanceId },
      { kind: 'fleet', id: 'web-staging-half-launched' },
    ];
    const byKind = (r: { kind: string }, o: { kind: string }) => r.kind.localeCompare(o.kind);

    const [dryRun] = await bakeshift<JanitorReport[]>(world, PEOPLE.deployer, 'janitor', '--dry-run');
    expect(dryRun?.removed.sort(byKind)).toEqual(leftovers);
    expect((await bakeshiftResources(world)).instances.map((i) => i.InstanceId)).toContain(
      Instances[0]?.InstanceId,
    );
    const [removed] = await bakeshift<JanitorReport[]>(world, PEOPLE.deployer, 'janitor');
    expect(removed?.removed.sort(byKind)).toEqual(leftovers);
    expect((await store.getLiveRelease('web', 'staging'))?.version).toBe('2.0.0');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('freeze: the CLI refuses a deploy and the flow an upload, before anything is built; after unfreeze it goes ahead', async () => {
    const world = await motoScenario();
    const staging = ['--service', 'web', '--env', 'staging'];
    await bakeshift(world, PEOPLE.approver, 'freeze', ...staging, '--until', '2h', '--reason', 'sales');
    const listed = await bakeshift<{ freezes: { service: string; environment: string }[] }>(
      world,
      PEOPLE.viewer,
      'freezes',
    );
    expect(listed.freezes).toMatchObject([{ service: 'web', environment: 'staging' }]);

    const app = await helloApp('1.0.0');
    const home = mkdtempSync(join(tmpdir(), 'bakeshift-moto-cli-'));
    const deploy = ['deploy', 'web', app, '--env', 'staging', '--version', '1.0.0', '--no-follow'];
    const refused = await bakeshiftOnAws(PEOPLE.deployer, world.front.endpoint, home, deploy).finally(() =>
      Promise.all([rm(app, { recursive: true, force: true }), rm(home, { recursive: true, force: true })]),
    );
    expect(refused.status).toBe(2);
    expect(refused.err).toContain('web/staging is frozen: freeze of web/staging until');
    // An artifact put straight into the bucket: PrepareDeployment refuses it, nothing recorded or built.
    const execution = await upload(world, 'staging', '1.0.0');
    expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'Frozen' });
    expect(statesOf(execution)).not.toContain('BakeImage');
    expect(world.machines.builders).toHaveLength(0);
    expect(await worldClients(world).store.getDeployment(execution.name)).toBeUndefined();

    await bakeshift(world, PEOPLE.approver, 'unfreeze', ...staging);
    await deployed(world, 'staging', '1.0.1');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });
});
