import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBalancerDimension } from '../../aws/metrics/cloudwatch-traffic-metrics.js';
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

/** An AWS world whose staging shifts in two weighted steps (10 % held 60 s), judged by the alarm `web-staging-5xx` too. */
async function weightedStaging(fleetSize: number, analysis: Record<string, unknown> = { warmUpSeconds: 0 }) {
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
    analysis: { alarms: ['web-staging-5xx'], ...analysis },
  });
  setup.world.configs.set('web', config as never);
  setup.cloud.alarms.set('web-staging-5xx', 'OK');
  return setup;
}

/** The target-group dimensions of staging's two slots. */
const slots = () => awsArns('staging').targetGroupArns.map((arn) => arn.split(':').at(-1) ?? '');

/** Every minute, each slot answers `perSlot` (requests, errors; TargetResponseTime 20 ms). */
function answer(sim: SimulatedCloud, slot: string, figures: Record<string, number>) {
  for (const [name, value] of Object.entries({ TargetResponseTime: 0.02, ...figures }))
    sim.targetGroupMetrics.set(`${slot} ${name}`, value);
}

/** Calls `then` with green's slot when green first takes traffic at 10 %. */
function whenGreenTakesTraffic(
  sim: SimulatedCloud,
  execution: ReturnType<Awaited<ReturnType<typeof awsWorld>>['world']['start']>,
  then: (slot: string) => void,
) {
  let done = false;
  execution.onEvent((event) => {
    if (done || event.type !== 'StateEntered' || event.state.name !== 'CheckGreenAtWeight') return;
    done = true;
    const weights = sim.forwardWeights(awsArns('staging').listenerArn);
    const green = Object.keys(weights).find((arn) => (weights[arn] ?? 0) < 50) ?? '';
    then(green.split(':').at(-1) ?? '');
  });
}

describe('analysis on AWS (CloudWatch over the simulated cloud)', () => {
  it('two GetMetricData per look (blue before the shift, then both fleets), whatever the fleet size', async () => {
    const counts: number[] = [];
    for (const fleetSize of [2, 20]) {
      const { world, cloud: sim } = await weightedStaging(fleetSize);
      for (const slot of slots()) answer(sim, slot, { RequestCount: 1000, HTTPCode_Target_5XX_Count: 0 });
      await world.deploy({ version: '1.0.0' });
      const from = sim.calls.length;
      const v2 = await world.deploy({ version: '2.0.0' });
      expect(v2.outcome.status).toBe('SUCCEEDED');
      const calls = sim.calls.slice(from);
      const looks = world.calls.filter(
        (c) =>
          c.executionName === v2.request.deploymentId &&
          ['CheckGreenAtWeight', 'WatchGreen'].includes(c.stateName),
      ).length;
      const queries = calls.filter((c) => c.name === 'GetMetricData');
      // A look whose window has no settled minute yet asks nothing.
      expect(queries.length).toBeGreaterThan(looks);
      expect(queries.length).toBeLessThanOrEqual(2 * looks);
      const names = (q: (typeof queries)[number]) =>
        q.input.MetricDataQueries.map(
          (m: { MetricStat: { Metric: { MetricName: string }; Stat: string } }) =>
            `${m.MetricStat.Metric.MetricName} ${m.MetricStat.Stat}`,
        );
      // The load balancer's own 5xx, then per target group: requests, its targets' 5xx, the 502s the load
      // balancer answered for it (connection and TLS errors), p99 and the slow requests' count.
      const perGroup = [
        'RequestCount Sum',
        'HTTPCode_Target_5XX_Count Sum',
        'TargetConnectionErrorCount Sum',
        'TargetTLSNegotiationErrorCount Sum',
        'TargetResponseTime p50',
        'TargetResponseTime p99',
      ];
      const [baseline, both] = [7, 17].map((length) =>
        queries.find((q) => q.input.MetricDataQueries.length === length),
      );
      expect(names(baseline as never)).toEqual(['HTTPCode_ELB_5XX_Count Sum', ...perGroup]);
      // Slow: above blue's p50 and p99 before the shift (20 ms each), plus the floor (+20 ms).
      const slow = ['TargetResponseTime TC(0.040:)', 'TargetResponseTime TC(0.040:)'];
      expect(names(both as never)).toEqual([
        'HTTPCode_ELB_5XX_Count Sum',
        ...perGroup,
        ...slow,
        ...perGroup,
        ...slow,
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
    whenGreenTakesTraffic(sim, execution, () => sim.alarms.set('web-staging-5xx', 'ALARM'));
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
    const { world, cloud: sim } = await weightedStaging(2);
    for (const slot of slots()) answer(sim, slot, { RequestCount: 4000, HTTPCode_Target_5XX_Count: 0 });
    await world.deploy({ version: '1.0.0' });
    const execution = world.start(world.request({ version: '2.0.0' }));
    whenGreenTakesTraffic(sim, execution, (green) =>
      answer(sim, green, { RequestCount: 400, HTTPCode_Target_5XX_Count: 20 }),
    );
    const outcome = await execution.outcome;
    expect(outcome.cause).toMatch(
      /AnalysisFailed: CheckGreenAtWeight 10%: green surely has more errors than blue: errors: green 20\/400 \(5\.00 %\), blue 0\/4000 \(0\.00 %\), \+5\.00 points \(floor \+0\.50 points\); e-value \S+ ≥ 200/,
    );
    // The verdict is announced with its numbers (EventBridge, Slack).
    const announced = world.notifier.events.filter((e) => e.kind === 'analysis_verdict');
    expect(announced.map((e) => e.detail)).toEqual([
      expect.stringMatching(/^CheckGreenAtWeight 10% failed: .*green 20\/400/),
    ]);
  }, 60_000);

  it("the load balancer's 502s for green's target group (connection errors, no target 5xx) roll back", async () => {
    // A green that crashes or resets connections: its targets answer no 5xx, the load balancer answers 502
    // for them, counted per target group as TargetConnectionErrorCount (and in the load balancer's own 5xx).
    const { world, cloud: sim } = await weightedStaging(2);
    for (const slot of slots()) answer(sim, slot, { RequestCount: 4000, HTTPCode_Target_5XX_Count: 0 });
    await world.deploy({ version: '1.0.0' });
    const execution = world.start(world.request({ version: '2.0.0' }));
    whenGreenTakesTraffic(sim, execution, (green) => {
      answer(sim, green, { RequestCount: 400, HTTPCode_Target_5XX_Count: 0, TargetConnectionErrorCount: 60 });
      sim.targetGroupMetrics.set(
        `${loadBalancerDimension(awsArns('staging').listenerArn)} HTTPCode_ELB_5XX_Count`,
        60,
      );
    });
    const outcome = await execution.outcome;
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toMatch(/AnalysisFailed: CheckGreenAtWeight 10%: .*green 60\/400 \(15\.00 %\)/);
  }, 60_000);

  it('a green as bad as a blue that already answers 2 % errors is no regression: it passes', async () => {
    const { world, cloud: sim } = await weightedStaging(2);
    for (const slot of slots()) answer(sim, slot, { RequestCount: 90_000, HTTPCode_Target_5XX_Count: 1800 });
    await world.deploy({ version: '1.0.0' });
    const execution = world.start(world.request({ version: '2.0.0' }));
    whenGreenTakesTraffic(sim, execution, (green) =>
      answer(sim, green, { RequestCount: 10_000, HTTPCode_Target_5XX_Count: 200 }),
    );
    const outcome = await execution.outcome;
    expect(outcome.cause ?? '').toBe('');
    expect(outcome.status).toBe('SUCCEEDED');
  }, 60_000);

  it("a good green held 60 s, shorter than its warm-up and CloudWatch's settling, is judged on its errors: it passes", async () => {
    // The default warm-up (30 s): it keeps a cold start's latency out, not green's requests and errors.
    const { world, cloud: sim } = await weightedStaging(2, {});
    for (const slot of slots()) answer(sim, slot, { RequestCount: 9000, HTTPCode_Target_5XX_Count: 9 });
    await world.deploy({ version: '1.0.0' });
    const execution = world.start(world.request({ version: '2.0.0' }));
    whenGreenTakesTraffic(sim, execution, (green) =>
      answer(sim, green, { RequestCount: 1000, HTTPCode_Target_5XX_Count: 1 }),
    );
    const outcome = await execution.outcome;
    expect(outcome.cause ?? '').toBe('');
    expect(outcome.status).toBe('SUCCEEDED');
  }, 60_000);

  it('windows CloudWatch has not filled are never judged a pass: the hold waits, then is inconclusive', async () => {
    const { world, cloud: sim } = await weightedStaging(2);
    for (const slot of slots()) answer(sim, slot, { RequestCount: 4000, HTTPCode_Target_5XX_Count: 0 });
    await world.deploy({ version: '1.0.0' });
    // From green's first traffic on, CloudWatch has no datapoint for either target group: not yet filled.
    const execution = world.start(world.request({ version: '2.0.0' }));
    whenGreenTakesTraffic(sim, execution, () => {
      const shiftedAt = world.clock.now().getTime();
      sim.metricsPerMinute = (key, minute) =>
        minute + 60_000 > shiftedAt ? Number.NaN : sim.targetGroupMetrics.get(key);
    });
    const outcome = await execution.outcome;
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toMatch(
      /CheckGreenAtWeight failed with AnalysisInconclusive: CheckGreenAtWeight 10%: inconclusive: no request counted for green since the shift, while blue had \d+ before the shift/,
    );
  }, 60_000);
});
