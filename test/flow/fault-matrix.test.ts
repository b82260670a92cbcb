import { describe, expect, it } from 'vitest';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import type { TaskStateName } from '../../statemachines/state-names.js';
import { FakeWorld } from '../support/fake-world.js';
import { flowRegions } from '../support/flow-graph.js';
import { expectCommitted, expectCompensated } from '../support/invariants.js';

/**
 * The fault matrix, generated from statemachines/deploy.asl.json: every Task state fails (before and after
 * doing its work), every waiting state times out, every compensation step has a transient fault. A Task added
 * to the definition is covered without editing this file.
 */
const definition = loadDeployDefinition();
const tasks = taskStatesOf(definition);
const { beforeCommit, afterCommit, compensation } = flowRegions(definition, 'RecordFailure', 'CommitRelease');
const forwardTasks = tasks.map((t) => t.stateName).filter((s) => beforeCommit.has(s) || afterCommit.has(s));
const compensationTasks = tasks.map((t) => t.stateName).filter((s) => compensation.has(s));

/** Steps that only run after another step failed: the primer fault that makes them run. */
const PRIMERS: Record<string, string> = { RecordCleanupWarnings: 'AnnounceSuccess' };

/** The two starting points, both in guarded prod (approval, weighted shift): with a live blue, and without. */
const SCENARIOS = {
  'replacing blue': { seedBlue: true },
  'first deployment': { seedBlue: false },
} as const;
type Scenario = (typeof SCENARIOS)[keyof typeof SCENARIOS];

async function scenarioWorld(scenario: Scenario) {
  const world = new FakeWorld({ timing: { callbackTimeoutMs: 50 } });
  if (scenario.seedBlue) {
    const v1 = await world.deploy({ version: '1.0.0', environment: 'prod' });
    expect(v1.outcome.status).toBe('SUCCEEDED');
  }
  const blue = await world.store.getLiveRelease('web', 'prod');
  return { world, blue };
}

/** The forward Tasks a scenario's fault-free run enters, plus those reached through a primer fault. */
async function tasksOfScenario(scenario: Scenario) {
  const { world } = await scenarioWorld(scenario);
  const run = await world.deploy({ version: '2.0.0', environment: 'prod' });
  const entered = new Set(world.statesEntered(run.execution));
  return { run, tasks: forwardTasks.filter((s) => entered.has(s) || PRIMERS[s]) };
}

const baselines = {
  'replacing blue': await tasksOfScenario(SCENARIOS['replacing blue']),
  'first deployment': await tasksOfScenario(SCENARIOS['first deployment']),
};

describe('fault matrix: coverage', () => {
  it('a fault-free run with a blue succeeds and enters every forward Task (or the Task has a primer)', () => {
    const { run, tasks: covered } = baselines['replacing blue'];
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(forwardTasks.filter((s) => !covered.includes(s))).toEqual([]);
  });
});

describe.each(Object.entries(SCENARIOS))('fault matrix: %s', (name, scenario) => {
  const cases = baselines[name as keyof typeof baselines].tasks.flatMap((stateName) =>
    (['before', 'after'] as const).map((when) => ({ stateName, when })),
  );

  it.each(cases)('$stateName fails ($when its work)', async ({ stateName, when }) => {
    const { world, blue } = await scenarioWorld(scenario);
    const primer = PRIMERS[stateName];
    if (primer) world.faults.push({ stateName: primer, when: 'before' });
    world.faults.push({ stateName, when });

    const run = await world.deploy({ version: '2.0.0', environment: 'prod' });
    expect(world.statesEntered(run.execution)).toContain(stateName);

    if (beforeCommit.has(stateName)) {
      expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'InjectedFault' });
      await expectCompensated(world, run.request, blue, stateName);
    } else {
      expect(run.outcome.status).toBe('SUCCEEDED');
      // A warning recorder that fails before its work cannot record; one that fails after it did record.
      const warning = primer ? (when === 'after' ? primer : undefined) : stateName;
      await expectCommitted(world, run.request, warning);
    }
  });
});

/** How to make each waiting state wait forever, and what its timeout must lead to. */
const WAITS: Partial<
  Record<
    TaskStateName,
    { setUp: (world: FakeWorld) => void; error?: string; succeeds?: boolean; lockHeldBy?: string }
  >
> = {
  PrepareDeployment: {
    setUp: (world) => {
      world.store.locks.set('web/prod', 'web-prod-someone-else');
      world.advanceOnCall.PrepareDeployment = 60;
    },
    error: 'LockTimeout',
    lockHeldBy: 'web-prod-someone-else',
  },
  BakeImage: {
    setUp: (world) => {
      world.baker.behaviour = 'never-finish';
      world.advanceOnCall.BakeImage = 1800;
    },
    error: 'BakeFailed',
  },
  AwaitGreenHealthy: {
    setUp: (world) => {
      world.health.checksUntilHealthy = Number.POSITIVE_INFINITY;
      world.advanceOnCall.AwaitGreenHealthy = 30;
    },
    error: 'HealthCheckFailed',
  },
  RequestApproval: {
    setUp: (world) => {
      world.approvals.answer = 'no-answer';
      world.advanceOnCall.RequestApproval = 3600;
    },
    error: 'ApprovalTimedOut',
  },
  // Its wait is the keep-warm window: when it ends, the deployment goes on.
  WatchGreen: { setUp: () => undefined, succeeds: true },
};

const POLLING_ERRORS = ['States.Timeout', 'LockHeld', 'HealthPending', 'StillWarm'];
const waitingStates = tasks
  .filter(
    (t) =>
      t.callback ||
      definition.States[t.stateName]?.Retry?.some((r) =>
        r.ErrorEquals.some((e) => POLLING_ERRORS.includes(e)),
      ),
  )
  .map((t) => t.stateName);

describe('fault matrix: every waiting state times out', () => {
  it('knows how to stall every waiting state in the definition', () => {
    expect(waitingStates.sort()).toEqual(Object.keys(WAITS).sort());
  });

  it.each(waitingStates)('%s waits past its deadline', async (stateName) => {
    const { world, blue } = await scenarioWorld(SCENARIOS['replacing blue']);
    const wait = WAITS[stateName as TaskStateName];
    if (!wait) throw new Error(`no stall for ${stateName}`);
    wait.setUp(world);
    const run = await world.deploy({ version: '2.0.0', environment: 'prod' });

    if (wait.succeeds) {
      expect(run.outcome.status).toBe('SUCCEEDED');
      await expectCommitted(world, run.request);
      return;
    }
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: wait.error });
    if (wait.lockHeldBy) {
      world.store.locks.delete('web/prod');
      expect(run.record?.status).toBe('rolled_back');
    }
    await expectCompensated(world, run.request, blue, stateName);
  });
});

describe('fault matrix: compensation steps', () => {
  it.each(compensationTasks)('%s survives a transient fault (retried)', async (stateName) => {
    const { world, blue } = await scenarioWorld(SCENARIOS['replacing blue']);
    world.faults.push({ stateName: 'CheckGreenAtWeight', when: 'before' });
    world.faults.push({ stateName, when: 'before', times: 2 });
    const run = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(run.outcome.status).toBe('FAILED');
    expect(
      world.calls.filter((c) => c.stateName === stateName && c.executionName === run.request.deploymentId),
    ).toHaveLength(3);
    await expectCompensated(world, run.request, blue, 'CheckGreenAtWeight');
  });

  it('if traffic cannot be restored, green is kept (it may be serving) and the record says so', async () => {
    const { world } = await scenarioWorld(SCENARIOS['replacing blue']);
    world.faults.push({ stateName: 'CheckGreenAtWeight', when: 'before' });
    world.faults.push({ stateName: 'RestoreTraffic', when: 'before' });
    const run = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(run.outcome.status).toBe('FAILED');
    expect(world.traffic.weightsOf('web', 'prod')[run.request.deploymentId]).toBe(10);
    expect(world.fleets.fleets.has(run.request.deploymentId)).toBe(true);
    expect(run.record?.warnings.join()).toContain('RestoreTraffic failed');
    expect(await world.store.lockHolder('web', 'prod')).toBeUndefined();
  });
});
