import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runAwsJanitor } from '../../aws/janitor/aws-janitor.js';
import { readInstanceLogs } from '../../aws/operations/log-reader.js';
import { inspectLiveFleet } from '../../core/congruence/inspect-live-fleet.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { expectNoOrphanSnapshots, expectNothingLeftBy } from '../support/aws-invariants.js';
import { awsArns, awsWorld, awsWorldWithBlue } from '../support/aws-world.js';
import { launchForgottenBuilder } from '../support/forgotten-builder.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * Every List and Describe read to its last page (ADR 36): the flows over the simulated cloud answering one item
 * per page (AWS may answer fewer items than asked for even when more remain), so that any read of the first
 * page alone loses something a test sees.
 */
const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterEach(() => cloud?.detach());
afterAll(async () => dynamo.close());

const tagOf = (tags: { Key?: string; Value?: string }[], key: string) =>
  tags.find((t) => t.Key === key)?.Value;

/** An AWS world whose every paginated answer holds one item. */
async function onePerPage(options: Parameters<typeof awsWorld>[1] = {}) {
  const setup = await awsWorld(dynamo, options);
  cloud = setup.cloud;
  setup.cloud.pageLimit = 1;
  return setup;
}

describe('every read to the last page: the flows with one item per page', () => {
  it('deploys over blue again and again, prunes images beyond retention, lists the whole history', async () => {
    const { world, cloud: sim } = await onePerPage({ releaseStore: 'dynamodb' });
    const versions = ['1.0.0', '2.0.0', '3.0.0', '4.0.0'];
    const runs = [];
    for (const version of versions) runs.push(await world.deploy({ version }));
    expect(runs.map((r) => r.outcome.status)).toEqual(versions.map(() => 'SUCCEEDED'));
    const last = runs.at(-1)?.request.deploymentId;

    const groups = [...sim.groups.values()];
    expect(groups.map((g) => tagOf(g.tags, 'bakeshift:fleet'))).toEqual([last]);
    expect(sim.forwardWeights(awsArns('staging').listenerArn)).toEqual({
      [groups[0]?.targetGroupArns[0] ?? '']: 100,
    });
    const images = [...sim.images.values()].filter((i) => tagOf(i.tags, 'managed-by') === 'bakeshift');
    expect(images.map((i) => tagOf(i.tags, 'bakeshift:version')).sort()).toEqual(['2.0.0', '3.0.0', '4.0.0']);
    expectNoOrphanSnapshots(sim);
    const template = sim.launchTemplates.get('bakeshift-web-staging');
    expect([...(template?.descriptions.entries() ?? [])].filter(([v]) => template?.versions.has(v))).toEqual([
      [1, 'placeholder'],
      [expect.any(Number), last],
    ]);
    const store = world.ports().store;
    expect((await store.listDeployments('web', 'staging', 10)).map((r) => r.version)).toEqual(
      [...versions].reverse(),
    );
    expect((await store.listDeployments('web', 'staging', 2)).map((r) => r.version)).toEqual([
      '4.0.0',
      '3.0.0',
    ]);
    // The cloud did page: reads went on with a token.
    expect(sim.inputsOf('DescribeAutoScalingGroups').some((i) => i.NextToken)).toBe(true);
    expect(sim.inputsOf('Query').some((i) => i.ExclusiveStartKey)).toBe(true);
  });

  it('judges green by every alarm it names: one in ALARM on a later page rolls back', async () => {
    const setup = await onePerPage();
    const { world, cloud: sim } = setup;
    const config = structuredClone(world.configs.raw.get('web')) as {
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
      analysis: { alarms: ['web-staging-latency', 'web-staging-5xx'] },
    });
    world.configs.set('web', config as never);
    sim.alarms.set('web-staging-latency', 'OK');
    sim.alarms.set('web-staging-5xx', 'OK');
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    const before = sim.forwardWeights(awsArns('staging').listenerArn);
    const execution = world.start(world.request({ version: '2.0.0' }));
    execution.onEvent((event) => {
      if (event.type === 'StateEntered' && event.state.name === 'CheckGreenAtWeight')
        sim.alarms.set('web-staging-5xx', 'ALARM');
    });
    const outcome = await execution.outcome;
    expect(outcome.cause).toMatch(/AnalysisFailed: CheckGreenAtWeight 10%: in ALARM: web-staging-5xx/);
    expect(sim.forwardWeights(awsArns('staging').listenerArn)).toEqual(before);
  });

  it('judges green by every metric it asks for: 5 % errors on a later page of GetMetricData rolls back', async () => {
    const setup = await onePerPage();
    const { world, cloud: sim } = setup;
    const config = structuredClone(world.configs.raw.get('web')) as {
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
    });
    world.configs.set('web', config as never);
    const answer = (slot: string, requests: number, errors: number) => {
      sim.targetGroupMetrics.set(`${slot} RequestCount`, requests);
      sim.targetGroupMetrics.set(`${slot} HTTPCode_Target_5XX_Count`, errors);
      sim.targetGroupMetrics.set(`${slot} TargetResponseTime`, 0.02);
    };
    for (const arn of awsArns('staging').targetGroupArns) answer(arn.split(':').at(-1) ?? '', 4000, 0);
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    const execution = world.start(world.request({ version: '2.0.0' }));
    let shifted = false;
    execution.onEvent((event) => {
      if (shifted || event.type !== 'StateEntered' || event.state.name !== 'CheckGreenAtWeight') return;
      shifted = true;
      // Green's slot (the one taking 10 %) answers 5 % errors; blue's none (ADR 40 compares green with blue).
      const weights = sim.forwardWeights(awsArns('staging').listenerArn);
      const green = Object.keys(weights).find((arn) => (weights[arn] ?? 0) < 50) ?? '';
      answer(green.split(':').at(-1) ?? '', 400, 20);
    });
    const outcome = await execution.outcome;
    expect(outcome.cause).toMatch(
      /AnalysisFailed: CheckGreenAtWeight 10%: green surely has more errors than blue/,
    );
    // The cloud did page GetMetricData: reads went on with a token.
    expect(sim.inputsOf('GetMetricData').some((i) => i.NextToken)).toBe(true);
  });

  it('the janitor finds every leftover: a blue group a failed reap left, its template version, a builder', async () => {
    const { world, cloud: sim, clientsOf } = await onePerPage();
    const v1 = await world.deploy({ version: '1.0.0' });
    world.faults.push({ stateName: 'ReapBlue', when: 'before' });
    const v2 = await world.deploy({ version: '2.0.0' });
    world.faults.length = 0;
    expect(v2.record?.warnings.join()).toContain('ReapBlue failed');
    await launchForgottenBuilder(clientsOf().ec2);
    // Blue's drain, which the records say began at DrainBlue, is over (the flow's waits take no fake time).
    world.clock.advance(31);

    const report = await runAwsJanitor({ clients: clientsOf(), ...world.ports() }, 'web', { dryRun: false });
    expect(report.removed).toEqual(
      expect.arrayContaining([
        { kind: 'fleet', id: v1.request.deploymentId },
        expect.objectContaining({ kind: 'builder' }),
      ]),
    );
    expect([...sim.groups.values()].map((g) => tagOf(g.tags, 'bakeshift:fleet'))).toEqual([
      v2.request.deploymentId,
    ]);
    expect(sim.liveInstances('builder').filter((i) => i.state !== 'shutting-down')).toEqual([]);
    const template = sim.launchTemplates.get('bakeshift-web-staging');
    expect([...(template?.versions.keys() ?? [])].map((v) => template?.descriptions.get(v))).toEqual([
      'placeholder',
      v2.request.deploymentId,
    ]);
  });

  it('a bake whose ledger write failed is cancelled by its tag: no builder left', async () => {
    const setup = await awsWorldWithBlue(dynamo);
    cloud = setup.cloud;
    setup.cloud.pageLimit = 1;
    // The bake ledger's first write (the only PutItem: the release store is the fake) fails for good.
    setup.cloud.fail('PutItem', 'ValidationError', 1);
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome.status).toBe('FAILED');
    expectNothingLeftBy(setup.cloud, run.request.deploymentId);
  });

  it('congruence sees every instance of the live fleet, and the operator every log line', async () => {
    const { world, cloud: sim } = await onePerPage({ fleetSize: 3 });
    const v1 = await world.deploy({ version: '1.0.0' });
    const live = await world.store.getLiveRelease('web', 'staging');
    if (!live?.artifact) throw new Error('no live release with an artifact');
    const baseImage = (await world.configs.load('web')).config.bake.baseImage;
    const report = await inspectLiveFleet(world.ports(), { ...live, artifact: live.artifact }, baseImage);
    expect(report.findings).toEqual([]);
    expect(report.instances.map((i) => i.imageId)).toEqual([
      v1.record?.imageId,
      v1.record?.imageId,
      v1.record?.imageId,
    ]);

    const now = Date.now();
    sim.logEvents.set(
      '/bakeshift/web/staging',
      ['one', 'two', 'three'].map((message, i) => ({ timestamp: now + i, message, logStreamName: 'i-1' })),
    );
    const logs = new CloudWatchLogsClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect((await readInstanceLogs(logs, '/bakeshift/web/staging', 10)).map((l) => l.message)).toEqual([
      'one',
      'two',
      'three',
    ]);
  });
});
