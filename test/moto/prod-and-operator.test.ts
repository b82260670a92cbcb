import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { expectNothingLeaks, worldClients } from './support/moto-state.js';
import type { MotoWorld } from './support/moto-world.js';
import {
  ALARM,
  approve,
  bakeshift,
  deploy,
  executionOf,
  PEOPLE,
  prodChecks,
} from './support/operator-cli.js';
import { motoScenario, statesOf } from './support/scenario.js';
import { motoClientConfig } from './support/stack-in-moto.js';

/*
 * prod on moto, driven by the operator's CLI (`bakeshift --target aws`, the real CLI in this process, each person
 * with their own credentials): weighted shifts, approvals through the decision URL (the OperatorDecision bundle
 * behind a SigV4-checking function URL), pre-traffic tests, CloudWatch alarms.
 */
async function prodWorld(preTraffic = { passed: true }): Promise<MotoWorld> {
  const world = await motoScenario();
  await prodChecks(world, preTraffic);
  return world;
}

/** A prod deployment through the CLI, approved through the decision URL; its execution once it has ended. */
async function deployApproved(world: MotoWorld, version: string) {
  const id = await deploy(world, 'prod', version);
  await approve(world, id);
  const execution = await executionOf(world, id);
  await execution.outcome;
  return execution;
}

describe('prod on moto, with the operator CLI', () => {
  it('weighted with approval through the decision URL; status and history', async () => {
    const world = await prodWorld();
    expect((await (await deployApproved(world, '1.0.0')).outcome).status).toBe('SUCCEEDED');
    const second = await deployApproved(world, '2.0.0');
    expect((await second.outcome).status).toBe('SUCCEEDED');
    // Pre-traffic tests, then 10 %, a check of green at that weight, then 100 %.
    const states = statesOf(second);
    expect(states.filter((s) => s === 'ShiftTraffic')).toHaveLength(2);
    expect(states.indexOf('RunPreTrafficTests')).toBeLessThan(states.indexOf('RequestApproval'));
    expect(states.indexOf('RequestApproval')).toBeLessThan(states.indexOf('ShiftTraffic'));
    expect(states).toContain('CheckGreenAtWeight');
    const record = await worldClients(world).store.getDeployment(second.name);
    expect(record?.approvedBy).toBe(PEOPLE.approver.arn);

    const status = await bakeshift<{ services: { environment: string }[] }>(world, PEOPLE.viewer, 'status');
    expect(status.services.find((s) => s.environment === 'prod')).toMatchObject({
      service: 'web',
      live: { version: '2.0.0' },
      lock: null,
    });
    const history = await bakeshift<{ version: string; status: string }[]>(
      world,
      PEOPLE.viewer,
      'history',
      'web',
      '--env',
      'prod',
    );
    expect(history.map((r) => [r.version, r.status])).toEqual([
      ['2.0.0', 'succeeded'],
      ['1.0.0', 'succeeded'],
    ]);
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('a failed pre-traffic test rolls back before any approval or traffic', async () => {
    const world = await prodWorld({ passed: false });
    const execution = await executionOf(world, await deploy(world, 'prod', '1.0.0'));
    expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'PreTrafficTestFailed' });
    expect(statesOf(execution)).toContain('RunPreTrafficTests');
    expect(statesOf(execution)).not.toContain('RequestApproval');
    expect(statesOf(execution)).not.toContain('ShiftTraffic');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('an alarm in ALARM while green takes traffic rolls it back', async () => {
    const world = await prodWorld();
    expect((await (await deployApproved(world, '1.0.0')).outcome).status).toBe('SUCCEEDED');
    await new CloudWatchClient(motoClientConfig(world.front.endpoint)).send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'green answers 500' }),
    );
    const second = await deployApproved(world, '2.0.0');
    expect((await second.outcome).status).toBe('FAILED');
    expect(statesOf(second)).toContain('RestoreTraffic');
    expect(JSON.stringify(await worldClients(world).store.getDeployment(second.name))).toContain(ALARM);
    expect((await worldClients(world).store.getLiveRelease('web', 'prod'))?.version).toBe('1.0.0');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });
});
