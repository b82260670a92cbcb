import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import {
  expectCompensatedOnAws,
  expectNoOrphanSnapshots,
  expectNothingLeftBy,
} from '../support/aws-invariants.js';
import { awsArns, awsWorldWithBlue, fleetApiCalls } from '../support/aws-world.js';
import { FAULT_KINDS, FAULTS, TRANSIENT } from '../support/fault-kinds.js';
import { flowRegions } from '../support/flow-graph.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * The fault matrix with the AWS adapters over the simulated cloud. Every Task, in a plain environment (staging)
 * and a guarded one (prod: approval, pre-traffic tests, weighted steps), fails before its work, after it, once
 * after it with a transient error (retried: the AWS adapters' repeated calls must be idempotent) and times
 * out; every compensation step fails once after its work; and every API call a deployment makes, the n-th of
 * its command, fails once. After each: compensated (no builder, group, launch template version or AMI of the
 * attempt, the listener back to its recorded action, blue's capacity unchanged) or committed (green alone
 * takes the listener, one group and one AMI of its own, blue reaped unless its reaping failed).
 */
const definition = loadDeployDefinition();
const { beforeCommit, afterCommit, compensation } = flowRegions(definition, 'RecordFailure', 'CommitRelease');
const taskNames = taskStatesOf(definition).map((t) => t.stateName);
const forwardTasks = taskNames.filter((s) => beforeCommit.has(s) || afterCommit.has(s));
const compensationTasks = taskNames.filter((s) => compensation.has(s));
/** Steps that only run after another step failed: the primer fault that makes them run. */
const PRIMERS: Record<string, string> = { RecordCleanupWarnings: 'AnnounceSuccess' };
/**
 * Steps that only run when a verdict is in doubt under `onInconclusive: approval` (ADR 50): no fault makes them
 * run. They are RequestApproval's function under another gate; test/flow/inconclusive-approval.test.ts runs them.
 */
const IN_DOUBT_ONLY = new Set(['AskAboutDoubtAtWeight', 'AskAboutDoubtAfterWatch']);
const ENVIRONMENTS = ['staging', 'prod'] as const;
type Environment = (typeof ENVIRONMENTS)[number];

// Started at collection time: the cases are generated from baseline deployments.
const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterAll(async () => {
  await dynamo.close();
});
afterEach(() => {
  cloud?.detach();
  cloud = undefined;
});

/** A world where 1.0.0 is live (blue) in the environment, ready for 2.0.0. */
async function withBlue(options: { fleetSize?: number; environment?: Environment } = {}) {
  const setup = await awsWorldWithBlue(dynamo, options);
  cloud = setup.cloud;
  return setup;
}
type Setup = Awaited<ReturnType<typeof withBlue>>;
type Run = Awaited<ReturnType<Setup['world']['deploy']>>;

const tagOf = (tags: { Key?: string; Value?: string }[], key: string) =>
  tags.find((t) => t.Key === key)?.Value;

/** Committed on AWS: green's group alone takes the listener; one group and one AMI of its own; no lock. */
async function expectCommittedOnAws(setup: Setup, run: Run, environment: Environment) {
  const { world, cloud: sim, blue } = setup;
  const { deploymentId } = run.request;
  const groupsOf = (id: string) =>
    [...sim.groups.values()].filter((g) => !g.deleting && tagOf(g.tags, 'bakeshift:fleet') === id);
  const [green, ...more] = groupsOf(deploymentId);
  expect(more).toEqual([]);
  expect(sim.forwardWeights(awsArns(environment).listenerArn)).toEqual({
    [green?.targetGroupArns[0] ?? 'no green group']: 100,
  });
  const amis = [...sim.images.values()].filter((i) => tagOf(i.tags, 'bakeshift:deployment') === deploymentId);
  expect(amis.map((i) => i.state)).toEqual(['available']);
  expectNoOrphanSnapshots(sim);
  expect(
    sim
      .liveInstances('builder')
      .filter((i) => tagOf(i.tags, 'bakeshift:deployment') === deploymentId && i.state !== 'shutting-down'),
  ).toEqual([]);
  const warnings = run.record?.warnings ?? [];
  // Blue's group is gone unless a drain or reap step failed (its warning says so; the janitor reaps it).
  if (!warnings.some((w) => /DrainBlue|ReapBlue/.test(w)))
    expect(groupsOf(blue.request.deploymentId)).toEqual([]);
  expect(await world.store.lockHolder('web', environment)).toBeUndefined();
  expect(world.tokens.pendingCount).toBe(0);
}

async function expectOutcome(setup: Setup, run: Run, environment: Environment = 'staging') {
  if (run.outcome.status === 'FAILED') {
    await expectCompensatedOnAws(
      setup.world,
      setup.cloud,
      setup.before,
      run.request,
      awsArns(environment).listenerArn,
    );
    return 'compensated';
  }
  await expectCommittedOnAws(setup, run, environment);
  return 'committed';
}

/** The Tasks a fault-free run in each environment enters. */
async function tasksEnteredIn(environment: Environment) {
  const setup = await withBlue({ environment });
  const run = await setup.world.deploy({ version: '2.0.0', environment });
  expect(run.outcome.status).toBe('SUCCEEDED');
  const entered = new Set(setup.world.statesEntered(run.execution));
  setup.cloud.detach();
  return forwardTasks.filter((s) => entered.has(s) || PRIMERS[s]);
}
const tasksOf = { staging: await tasksEnteredIn('staging'), prod: await tasksEnteredIn('prod') };

describe('AWS fault matrix: coverage', () => {
  it('the environments together enter every forward Task (or the Task has a primer)', () => {
    const covered = new Set([...tasksOf.staging, ...tasksOf.prod]);
    expect(forwardTasks.filter((s) => !covered.has(s) && !IN_DOUBT_ONLY.has(s))).toEqual([]);
    expect(tasksOf.prod).toEqual(
      expect.arrayContaining(['RequestApproval', 'RunPreTrafficTests', 'CheckGreenAtWeight']),
    );
  });
});

describe.each(ENVIRONMENTS)('AWS fault matrix, every Task: %s', (environment) => {
  const cases = tasksOf[environment].flatMap((stateName) => FAULT_KINDS.map((kind) => ({ stateName, kind })));

  it.each(cases)('$stateName $kind', async ({ stateName, kind }) => {
    const setup = await withBlue({ environment });
    const primer = PRIMERS[stateName];
    if (primer) setup.world.faults.push({ stateName: primer, when: 'before' });
    const fault = FAULTS[kind](stateName);
    setup.world.faults.push(fault);
    const run = await setup.world.deploy({ version: '2.0.0', environment });
    // The case's fault happened: an invocation that would have succeeded received it.
    expect(fault.delivered).toBeGreaterThan(0);

    const outcome = await expectOutcome(setup, run, environment);
    if (kind === TRANSIENT) {
      // Retried: the adapters' repeated calls change nothing, and the deployment goes on.
      expect(outcome).toBe('committed');
      expect(run.record?.warnings).toEqual(primer ? [expect.stringContaining(`${primer} failed`)] : []);
      return;
    }
    expect(outcome).toBe(beforeCommit.has(stateName) ? 'compensated' : 'committed');
    if (beforeCommit.has(stateName)) expect(run.outcome.error).toBe(fault.error ?? 'InjectedFault');
    const warned = primer ? (fault.when === 'after' ? primer : undefined) : stateName;
    if (afterCommit.has(stateName))
      expect(run.record?.warnings).toEqual(warned ? [expect.stringContaining(`${warned} failed`)] : []);
  });
});

describe('AWS fault matrix: every compensation step fails once after its work', () => {
  it.each(compensationTasks)('%s: retried, and nothing of the attempt is left', async (stateName) => {
    const setup = await withBlue();
    const fault = FAULTS[TRANSIENT](stateName);
    setup.world.faults.push({ stateName: 'WatchGreen', when: 'before' }, fault);
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(fault.delivered).toBe(1);

    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'InjectedFault' });
    expect(run.record?.warnings).toEqual([]);
    await expectCompensatedOnAws(
      setup.world,
      setup.cloud,
      setup.before,
      run.request,
      awsArns('staging').listenerArn,
    );
    expectNothingLeftBy(setup.cloud, run.request.deploymentId);
  });
});

/** The API calls our code sent since `from` (not the simulated builder's uploads through presigned URLs). */
const ourCalls = (sim: SimulatedCloud, from: number) => sim.calls.slice(from).filter((c) => !c.presigned);
const sentOf = (sim: SimulatedCloud, from: number, command: string) =>
  ourCalls(sim, from).filter((c) => c.name === command).length;

/**
 * How many times a fault-free deployment (staging, replacing blue) sends each API command, at least: the bake's
 * events arrive when they do, so some reads vary between runs; the fewest of two runs is what every run sends.
 */
async function callsOfADeployment(): Promise<Record<string, number>> {
  const setup = await withBlue();
  const from = setup.cloud.calls.length;
  expect((await setup.world.deploy({ version: '2.0.0' })).outcome.status).toBe('SUCCEEDED');
  const counts: Record<string, number> = {};
  for (const call of ourCalls(setup.cloud, from)) counts[call.name] = (counts[call.name] ?? 0) + 1;
  setup.cloud.detach();
  return counts;
}
const [firstRun, secondRun] = [await callsOfADeployment(), await callsOfADeployment()];
const callCounts = Object.fromEntries(
  Object.entries(firstRun).map(([command, count]) => [command, Math.min(count, secondRun[command] ?? 0)]),
);
const commands = Object.keys(callCounts);
/**
 * Which call of each command to fail: every one where a command is sent up to four times; the first, second,
 * middle and last where it is sent more (polls that repeat one request).
 */
const nthCalls = Object.entries(callCounts).flatMap(([command, count]) => {
  const picks =
    count <= 4 ? Array.from({ length: count }, (_, i) => i + 1) : [1, 2, Math.ceil(count / 2), count];
  return [...new Set(picks)].map((n) => ({ command, n, of: count }));
});

describe('AWS fault matrix: an API error in any call', () => {
  it('covers the calls of a whole deployment', () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        'RunInstances',
        'CreateImage',
        'CreateAutoScalingGroup',
        'ModifyListener',
        'DescribeTargetHealth',
        'DetachTrafficSources',
        'DeleteAutoScalingGroup',
      ]),
    );
  });

  it.each(nthCalls)(
    '$command call $n of $of fails with a non-retryable error: compensated, or committed with nothing lost',
    async ({ command, n }) => {
      const { setup, run } = await deployWithNthCallFailing(command, n, 'ValidationError');
      await expectOutcome(setup, run);
    },
  );

  it.each(nthCalls)(
    '$command call $n of $of is throttled: retried, and the deployment succeeds',
    async ({ command, n }) => {
      const { setup, run } = await deployWithNthCallFailing(command, n, 'ThrottlingException');
      expect(run.outcome.status).toBe('SUCCEEDED');
      await expectCommittedOnAws(setup, run, 'staging');
    },
  );
});

/** Deploys 2.0.0 over blue with the n-th call of `command` answered by `error`, and checks the fault happened. */
async function deployWithNthCallFailing(command: string, n: number, error: string) {
  const setup = await withBlue();
  const from = setup.cloud.calls.length;
  const fault = setup.cloud.fail(command, error, 1, n - 1);
  const run = await setup.world.deploy({ version: '2.0.0' });
  // The n-th call failed, unless this run sent fewer (it failed earlier, or its bake's events came sooner).
  expect(fault.times === 0 || sentOf(setup.cloud, from, command) < n).toBe(true);
  return { setup, run };
}

describe('AWS fault matrix: the cloud misbehaves', () => {
  it('no capacity for the builder (InsufficientInstanceCapacity): compensated', async () => {
    const setup = await withBlue();
    setup.cloud.fail('RunInstances', 'InsufficientInstanceCapacity');
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'TransientFailure' });
    expect(run.record?.failure?.step).toBe('BakeImage');
    await expectOutcome(setup, run);
  });

  it('a bake script that fails: no AMI, the builder terminated, the log tail in the cause', async () => {
    const setup = await withBlue();
    setup.cloud.builder = 'fail';
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'BakeFailed' });
    expect(run.record?.failure?.cause).toContain('npm ERR! code E404');
    // Only 1.0.0's bake made an image.
    expect(setup.cloud.inputsOf('CreateImage')).toHaveLength(1);
    await expectOutcome(setup, run);
  });

  it('targets that never become healthy: rolled back before any traffic moves, cause lists target states and what the instances logged', async () => {
    const setup = await withBlue();
    setup.world.advanceOnCall.AwaitGreenHealthy = 60;
    const original = setup.cloud.onEvent;
    setup.cloud.onEvent = (event) => {
      if (event['detail-type'] === 'EC2 AMI State Change') {
        setup.cloud.unhealthyImages.add(String(event.detail.ImageId));
        setup.cloud.appOutputOfImage.set(String(event.detail.ImageId), [
          'Traceback (most recent call last):',
          "ModuleNotFoundError: No module named 'flask'",
        ]);
      }
      original(event);
    };
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'HealthCheckFailed' });
    expect(run.record?.failure?.cause).toContain('unhealthy: Target.ResponseCodeMismatch');
    // From CloudWatch Logs: each instance's stream (FilterLogEvents), read only once the step fails.
    expect(run.record?.failure?.cause).toMatch(
      /\n {2}i-\S+; its last output:\n {4}Traceback \(most recent call last\):\n {4}ModuleNotFoundError: No module named 'flask'/,
    );
    expect(setup.cloud.inputsOf('FilterLogEvents').length).toBeGreaterThan(0);
    // Only 1.0.0's shift ever touched the listener: no shift, so nothing to restore.
    expect(
      setup.cloud.inputsOf('ModifyListener').filter((m) => m.ListenerArn === awsArns('staging').listenerArn),
    ).toHaveLength(1);
    await expectOutcome(setup, run);
  });
});

describe('API calls per deployment', () => {
  it('are the same for a fleet of 2 and of 200', async () => {
    const [small, large] = [await fleetApiCalls(dynamo, 2), await fleetApiCalls(dynamo, 200)];
    expect(large).toEqual(small);
    expect(small.DescribeTargetHealth).toBeGreaterThan(0);
  });
});
