import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { bakeshiftOnAws, PEOPLE, type Person } from '../support/operator-stand-ins.js';
import { expectNothingLeaks, worldClients } from './support/moto-state.js';
import type { MotoWorld } from './support/moto-world.js';
import { eventually, motoSuite, statesOf } from './support/scenario.js';
import { motoClientConfig } from './support/stack-in-moto.js';

/*
 * prod on moto, driven by the operator's CLI (`bakeshift --target aws`, the real CLI in this process, each person
 * with their own credentials): weighted shifts, approvals through the decision URL (the OperatorDecision bundle
 * behind a SigV4-checking function URL), pre-traffic tests, CloudWatch alarms, rollback.
 */
const suite = motoSuite();
const APP = new URL('../../examples/hello/app', import.meta.url).pathname;
const ALARM = 'web-prod-errors';

async function prodWorld(preTraffic: { passed: boolean } = { passed: true }) {
  const world = await suite.world();
  world.testFunctions.set('bakeshift-pretraffic-web', async () => ({
    ...preTraffic,
    output: preTraffic.passed ? 'smoke tests passed' : 'GET /health answered 500',
  }));
  // The alarm the environment names, in OK: an alarm that is not firing must not roll anything back.
  await new CloudWatchClient(motoClientConfig(world.front.endpoint)).send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  return world;
}

function cli(world: MotoWorld) {
  const home = mkdtempSync(join(tmpdir(), 'bakeshift-moto-cli-'));
  return (person: Person, ...args: string[]) => bakeshiftOnAws(person, world.front.endpoint, home, args);
}

/** `bakeshift deploy … --no-follow` as the deployer; its deployment id. */
async function deploy(world: MotoWorld, version: string) {
  const run = await cli(world)(
    PEOPLE.deployer,
    'deploy',
    'web',
    APP,
    '--env',
    'prod',
    '--version',
    version,
    '--no-follow',
  );
  expect(run.err).toBe('');
  const id = /deployment (\S+):/.exec(run.out.join('\n'))?.[1];
  if (!id) throw new Error(`deploy printed no deployment id: ${run.out.join('\n')}`);
  return id;
}

/** Waits for the approval to be asked, then approves it through the decision URL as the approver. */
async function approve(world: MotoWorld, deploymentId: string) {
  const { store } = worldClients(world);
  await eventually(
    async () => (await store.approvalOf(deploymentId)) ?? undefined,
    `the approval of ${deploymentId}`,
  );
  const run = await cli(world)(PEOPLE.approver, 'approve', deploymentId);
  expect(run.err).toBe('');
  expect(run.status).toBe(0);
}

const executionOf = (world: MotoWorld, deploymentId: string) => {
  const execution = world.stepFunctions.executions.get(deploymentId);
  if (!execution) throw new Error(`no execution ${deploymentId}`);
  return execution;
};

describe('prod on moto, with the operator CLI', () => {
  it('weighted with approval through the decision URL; status, history; an operator rollback', async () => {
    const world = await prodWorld();
    const bakeshift = cli(world);
    try {
      const first = await deploy(world, '1.0.0');
      await approve(world, first);
      expect((await executionOf(world, first).outcome).status).toBe('SUCCEEDED');

      const second = await deploy(world, '2.0.0');
      await approve(world, second);
      const execution = executionOf(world, second);
      expect((await execution.outcome).status).toBe('SUCCEEDED');
      // 10 %, then 100 %: two shifts with a check of green at the first weight.
      expect(statesOf(execution).filter((s) => s === 'ShiftTraffic')).toHaveLength(2);
      expect(statesOf(execution)).toContain('CheckGreenAtWeight');
      expect(statesOf(execution)).toContain('RunPreTrafficTests');

      const status = await bakeshift(PEOPLE.viewer, 'status', '--json');
      expect(status.err).toBe('');
      const prod = JSON.parse(status.out[0] ?? '{}').services.find(
        (s: { environment: string }) => s.environment === 'prod',
      );
      expect(prod).toMatchObject({ service: 'web', live: { version: '2.0.0' }, lock: null });
      const history = await bakeshift(PEOPLE.viewer, 'history', 'web', '--env', 'prod', '--json');
      expect(
        JSON.parse(history.out[0] ?? '[]').map((r: { version: string; status: string }) => [
          r.version,
          r.status,
        ]),
      ).toEqual([
        ['2.0.0', 'succeeded'],
        ['1.0.0', 'succeeded'],
      ]);

      const rollback = await bakeshift(PEOPLE.deployer, 'rollback', 'web', '--env', 'prod', '--no-follow');
      expect(rollback.err).toBe('');
      await world.settled();
      expect((await worldClients(world).store.getLiveRelease('web', 'prod'))?.version).toBe('1.0.0');
      await expectNothingLeaks(world, 'web', ['staging', 'prod']);
    } finally {
      await world.close();
    }
  });

  it('a failed pre-traffic test rolls back before any approval or traffic', async () => {
    const world = await prodWorld({ passed: false });
    try {
      const id = await deploy(world, '1.0.0');
      const execution = executionOf(world, id);
      expect((await execution.outcome).status).toBe('FAILED');
      expect(statesOf(execution)).toContain('RunPreTrafficTests');
      expect(statesOf(execution)).not.toContain('RequestApproval');
      expect(statesOf(execution)).not.toContain('ShiftTraffic');
      await expectNothingLeaks(world, 'web', ['staging', 'prod']);
    } finally {
      await world.close();
    }
  });

  it('an alarm in ALARM while green takes traffic rolls it back', async () => {
    const world = await prodWorld();
    try {
      const first = await deploy(world, '1.0.0');
      await approve(world, first);
      expect((await executionOf(world, first).outcome).status).toBe('SUCCEEDED');
      await new CloudWatchClient(motoClientConfig(world.front.endpoint)).send(
        new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'green answers 500' }),
      );
      const second = await deploy(world, '2.0.0');
      await approve(world, second);
      const execution = executionOf(world, second);
      expect((await execution.outcome).status).toBe('FAILED');
      expect(statesOf(execution)).toContain('RestoreTraffic');
      expect((await worldClients(world).store.getLiveRelease('web', 'prod'))?.version).toBe('1.0.0');
      await expectNothingLeaks(world, 'web', ['staging', 'prod']);
    } finally {
      await world.close();
    }
  });
});
