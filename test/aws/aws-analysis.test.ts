import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { awsArns, awsWorld } from '../support/aws-world.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/*
 * Analysis with the AWS adapters over the simulated cloud: CloudWatch's target-group metrics and alarms.
 */

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

/** An AWS world whose staging shifts in two weighted steps, judged by the alarm `web-staging-5xx` too. */
async function weightedStaging(fleetSize: number) {
  const setup = await awsWorld(dynamo, { fleetSize });
  cloud = setup.cloud;
  const config = structuredClone(setup.world.configs.raw.get('web')) as {
    environments: Record<string, Record<string, unknown>>;
  };
  Object.assign(config.environments.staging ?? {}, {
    traffic: {
      strategy: 'weighted',
      steps: [
        { percent: 10, holdSeconds: 60 },
        { percent: 100, holdSeconds: 0 },
      ],
    },
    analysis: { alarms: ['web-staging-5xx'] },
  });
  setup.world.configs.set('web', config as never);
  setup.cloud.alarms.set('web-staging-5xx', 'OK');
  return setup;
}

describe('analysis on AWS (CloudWatch over the simulated cloud)', () => {
  it('one GetMetricData per check, for green and blue together, whatever the fleet size', async () => {
    const counts: number[] = [];
    for (const fleetSize of [2, 20]) {
      const { world, cloud: sim } = await weightedStaging(fleetSize);
      await world.deploy({ version: '1.0.0' });
      const from = sim.calls.length;
      const v2 = await world.deploy({ version: '2.0.0' });
      expect(v2.outcome.status).toBe('SUCCEEDED');
      const calls = sim.calls.slice(from);
      const checks = world.calls.filter(
        (c) =>
          c.executionName === v2.request.deploymentId &&
          ['CheckGreenAtWeight', 'WatchGreen'].includes(c.stateName),
      ).length;
      const queries = calls.filter((c) => c.name === 'GetMetricData');
      expect(queries).toHaveLength(checks);
      // Each asks for both fleets' target groups: requests, 5xx and p99.
      expect(
        queries[0]?.input.MetricDataQueries.map(
          (q: { MetricStat: { Metric: { MetricName: string } } }) => q.MetricStat.Metric.MetricName,
        ),
      ).toEqual([
        'RequestCount',
        'HTTPCode_Target_5XX_Count',
        'TargetResponseTime',
        'RequestCount',
        'HTTPCode_Target_5XX_Count',
        'TargetResponseTime',
      ]);
      counts.push(queries.length);
      sim.detach();
    }
    expect(counts[0]).toBe(counts[1]);
  }, 60_000);

  it('an alarm going to ALARM during a weighted step rolls back: traffic back on blue, the verdict kept', async () => {
    const { world, cloud: sim } = await weightedStaging(2);
    await world.deploy({ version: '1.0.0' });
    const before = sim.forwardWeights(awsArns('staging').listenerArn);
    const execution = world.start(world.request({ version: '2.0.0' }));
    execution.onEvent((event) => {
      if (event.type === 'StateEntered' && event.state.name === 'HoldAtWeight')
        sim.alarms.set('web-staging-5xx', 'ALARM');
    });
    const outcome = await execution.outcome;
    expect(outcome).toMatchObject({ status: 'FAILED' });
    expect(outcome.cause).toMatch(/AnalysisFailed: CheckGreenAtWeight 10%: in ALARM: web-staging-5xx/);
    expect(sim.forwardWeights(awsArns('staging').listenerArn)).toEqual(before);
    expect(sim.inputsOf('DescribeAlarms').at(-1)).toMatchObject({
      AlarmNames: ['web-staging-5xx'],
      StateValue: 'ALARM',
    });
  }, 60_000);

  it('a metric query that keeps failing is retried within its bound, then fails the step: never a pass', async () => {
    const { world, cloud: sim } = await weightedStaging(2);
    await world.deploy({ version: '1.0.0' });
    sim.fail('GetMetricData', 'ThrottlingException');
    const run = await world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED' });
    expect(run.outcome.cause).toMatch(
      /CheckGreenAtWeight failed with TransientFailure: GetMetricData: ThrottlingException/,
    );
    // The ASL's TransientFailure retrier: the first try and its retries, then compensation.
    expect(sim.calls.filter((c) => c.name === 'GetMetricData').length).toBeGreaterThan(1);
    expect(run.record?.status).toBe('rolled_back');
  }, 60_000);

  it('green answering 5 % errors at 10 % (CloudWatch figures) rolls back; the numbers are in the record', async () => {
    const setup = await weightedStaging(2);
    const { world, cloud: sim } = setup;
    await world.deploy({ version: '1.0.0' });
    const [slotA, slotB] = awsArns('staging').targetGroupArns.map((arn) => arn.split(':').at(-1) ?? '');
    for (const slot of [slotA, slotB]) {
      sim.targetGroupMetrics.set(`${slot} RequestCount`, 4000);
      sim.targetGroupMetrics.set(`${slot} HTTPCode_Target_5XX_Count`, 0);
      sim.targetGroupMetrics.set(`${slot} TargetResponseTime`, 0.02);
    }
    // Whichever slot green lands in answers 5 % errors; blue (the other) none.
    const execution = world.start(world.request({ version: '2.0.0' }));
    execution.onEvent((event) => {
      if (event.type !== 'StateEntered' || event.state.name !== 'HoldAtWeight') return;
      const live = Object.keys(sim.forwardWeights(awsArns('staging').listenerArn));
      const green =
        live.find((arn) => (sim.forwardWeights(awsArns('staging').listenerArn)[arn] ?? 0) < 50) ?? '';
      const slot = green.split(':').at(-1) ?? '';
      sim.targetGroupMetrics.set(`${slot} RequestCount`, 400);
      sim.targetGroupMetrics.set(`${slot} HTTPCode_Target_5XX_Count`, 20);
    });
    const outcome = await execution.outcome;
    expect(outcome.cause).toMatch(
      /AnalysisFailed: CheckGreenAtWeight 10%: green's error rate is above 1\.00 %.*green 20\/400 errors.*blue 0\/4000 errors/,
    );
    // The verdict is announced with its numbers (EventBridge, Slack).
    const announced = world.notifier.events.filter((e) => e.kind === 'analysis_verdict');
    expect(announced.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^CheckGreenAtWeight 10% failed: .*green 20\/400 errors/),
    ]);
  }, 60_000);
});
