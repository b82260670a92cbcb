import { describe, expect, it } from 'vitest';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import { pollingRetrierOf } from '../../statemachines/retry-schedule.js';
import type { TaskStateName } from '../../statemachines/state-names.js';
import { FakeWorld, type InjectedFault, webConfig } from '../support/fake-world.js';
import { FAULT_KINDS, FAULTS, TRANSIENT } from '../support/fault-kinds.js';
import { flowRegions } from '../support/flow-graph.js';
import {
  type EnvironmentState,
  environmentState,
  expectCommitted,
  expectCompensated,
} from '../support/invariants.js';

/**
 * The fault matrix, generated from statemachines/deploy.asl.json: every Task state, forward and compensating,
 * in every shape of environment, fails before its work, fails after it, fails once after it with a transient
 * error and is retried (idempotency: the end state is the fault-free run's), and times out after its work.
 * Every waiting state also waits past its deadline. A Task added to the definition is covered without editing
 * this file.
 */
const definition = loadDeployDefinition();
const tasks = taskStatesOf(definition);
const { beforeCommit, afterCommit, compensation } = flowRegions(definition, 'RecordFailure', 'CommitRelease');
const forwardTasks = tasks.map((t) => t.stateName).filter((s) => beforeCommit.has(s) || afterCommit.has(s));
const compensationTasks = tasks.map((t) => t.stateName).filter((s) => compensation.has(s));

/** Steps that only run after another step failed: the primer fault that makes them run. */
const PRIMERS: Record<string, string> = { RecordCleanupWarnings: 'AnnounceSuccess' };
/**
 * Steps that only run when a verdict is in doubt under `onInconclusive: approval` (ADR 50): no fault makes them
 * run. test/flow/inconclusive-approval.test.ts runs them (approved, rejected, unanswered); below they stall.
 */
const IN_DOUBT_ONLY = new Set(['AskAboutDoubtAtWeight', 'AskAboutDoubtAfterWatch']);
/** The fault that starts compensation when a compensation step is under test: green has taken traffic. */
const COMPENSATION_PRIMER: InjectedFault = { stateName: 'WatchGreen', when: 'before' };

/** The shapes of environment: each takes a different path through the definition. */
const SHAPES = {
  plain: 'staging',
  weighted: 'canary',
  'approval, weighted, pre-traffic tests': 'prod',
} as const;
type Environment = (typeof SHAPES)[keyof typeof SHAPES];

/** webConfig, plus an environment with weighted steps but neither approval nor pre-traffic tests. */
function matrixConfig() {
  const config = webConfig();
  const { approval: _approval, preTraffic: _preTraffic, ...canary } = config.environments.prod;
  return { ...config, environments: { ...config.environments, canary } };
}

async function matrixWorld(environment: Environment, seedBlue: boolean) {
  const world = new FakeWorld({ timing: { callbackTimeoutMs: 50 } });
  world.configs.set('web', matrixConfig());
  if (seedBlue) {
    const v1 = await world.deploy({ version: '1.0.0', environment });
    expect(v1.outcome.status).toBe('SUCCEEDED');
  }
  const blue = await world.store.getLiveRelease('web', environment);
  return { world, blue, before: await environmentState(world, 'web', environment) };
}

/** What a run leaves that a retried step could double: fleets launched, bakes started, announcements, verdicts. */
async function sideEffectsOf(world: FakeWorld, deploymentId: string) {
  return {
    launches: world.fleets.launches,
    bakes: world.baker.bakes.size,
    announced: world.notifier.kinds(deploymentId),
    verdicts: ((await world.store.getDeployment(deploymentId))?.analysis ?? []).map((a) => a.step),
  };
}

/** A fault-free run (and, for compensation, a run with the primer alone) per shape, to compare against. */
async function baselineOf(environment: Environment, seedBlue: boolean, faults: InjectedFault[] = []) {
  const { world } = await matrixWorld(environment, seedBlue);
  world.faults.push(...structuredClone(faults));
  const run = await world.deploy({ version: '2.0.0', environment });
  return {
    status: run.outcome.status,
    entered: new Set(world.statesEntered(run.execution)),
    sideEffects: await sideEffectsOf(world, run.request.deploymentId),
  };
}

const CASES = [
  ...Object.entries(SHAPES).map(([shape, environment]) => ({ shape, environment, seedBlue: true })),
  {
    shape: 'first deployment (approval, weighted)',
    environment: SHAPES['approval, weighted, pre-traffic tests'],
    seedBlue: false,
  },
];
const baselines = await Promise.all(
  CASES.map(async (c) => ({
    ...c,
    faultFree: await baselineOf(c.environment, c.seedBlue),
    primed: await baselineOf(c.environment, c.seedBlue, [COMPENSATION_PRIMER]),
  })),
);

describe('fault matrix: coverage', () => {
  it('fault-free runs succeed and, across the shapes, enter every forward Task (or the Task has a primer)', () => {
    for (const { faultFree } of baselines) expect(faultFree.status).toBe('SUCCEEDED');
    const entered = new Set(baselines.flatMap((b) => [...b.faultFree.entered]));
    expect(forwardTasks.filter((s) => !entered.has(s) && !PRIMERS[s] && !IN_DOUBT_ONLY.has(s))).toEqual([]);
  });

  it('the shapes differ: only the guarded one asks for approval, only the weighted ones check green at a weight', () => {
    const enters = (shape: string, state: string) =>
      baselines.find((b) => b.shape === shape)?.faultFree.entered.has(state);
    expect(enters('plain', 'CheckGreenAtWeight')).toBe(false);
    expect(enters('weighted', 'CheckGreenAtWeight')).toBe(true);
    expect(enters('weighted', 'RequestApproval')).toBe(false);
    expect(enters('approval, weighted, pre-traffic tests', 'RequestApproval')).toBe(true);
    expect(enters('approval, weighted, pre-traffic tests', 'RunPreTrafficTests')).toBe(true);
  });

  it('the compensation primer runs every compensation step', () => {
    for (const { primed } of baselines) {
      expect(primed.status).toBe('FAILED');
      expect(compensationTasks.filter((s) => !primed.entered.has(s))).toEqual([]);
    }
  });
});

/** States whose Retry covers States.Timeout: the timeout is retried once before it counts. */
const retriesTimeout = (stateName: string) =>
  definition.States[stateName]?.Retry?.some((r) => r.ErrorEquals.includes('States.Timeout')) ?? false;
/** How often a step that keeps failing with States.ALL is invoked: once, plus its Retry's attempts. */
const attemptsOf = (stateName: string) =>
  1 +
  (definition.States[stateName]?.Retry?.find((r) => r.ErrorEquals.includes('States.ALL'))?.MaxAttempts ?? 0);
const invocations = (world: FakeWorld, stateName: string, deploymentId: string) =>
  world.calls.filter((c) => c.stateName === stateName && c.executionName === deploymentId).length;

/** After the commit point, a failed step leaves blue's fleet when it failed before removing it. */
const blueKeptBy = (stateName: string, fault: InjectedFault) =>
  stateName === 'DrainBlue' || (stateName === 'ReapBlue' && fault.when === 'before');

describe.each(baselines)('fault matrix, forward Tasks: $shape', ({ environment, seedBlue, faultFree }) => {
  const cases = forwardTasks
    .filter((s) => faultFree.entered.has(s) || PRIMERS[s])
    .flatMap((stateName) => FAULT_KINDS.map((kind) => ({ stateName, kind })));

  it.each(cases)('$stateName $kind', async ({ stateName, kind }) => {
    const { world, blue, before } = await matrixWorld(environment, seedBlue);
    const primer = PRIMERS[stateName];
    if (primer) world.faults.push({ stateName: primer, when: 'before' });
    const fault = FAULTS[kind](stateName);
    world.faults.push(fault);

    const run = await world.deploy({ version: '2.0.0', environment });
    const { deploymentId } = run.request;
    const calls = invocations(world, stateName, deploymentId);
    // The case's fault happened: an invocation that would have succeeded received it.
    expect(fault.delivered).toBeGreaterThan(0);

    if (kind === TRANSIENT) {
      // Retried, and the retry's repeated work changes nothing: the end state is the fault-free run's.
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(run.outcome.status).toBe('SUCCEEDED');
      const sideEffects = await sideEffectsOf(world, deploymentId);
      expect(sideEffects).toEqual(
        primer ? { ...faultFree.sideEffects, announced: sideEffects.announced } : faultFree.sideEffects,
      );
      // A primed AnnounceSuccess failed before sending: its warning is recorded, nothing announced.
      await expectCommitted(world, run.request, primer ? { warning: primer, announced: false } : {});
      return;
    }
    if (beforeCommit.has(stateName)) {
      // A polling state is invoked again while it waits; the others once, or twice when a timeout is retried.
      if (!pollingRetrierOf(definition, stateName))
        expect(calls).toBe(kind === 'times out' && retriesTimeout(stateName) ? 2 : 1);
      expect(run.outcome).toMatchObject({ status: 'FAILED', error: fault.error ?? 'InjectedFault' });
      await expectCompensated(world, run.request, before, stateName);
      return;
    }
    expect(calls).toBe(attemptsOf(stateName));
    expect(run.outcome.status).toBe('SUCCEEDED');
    // A warning recorder that fails before its work cannot record; one that fails after it did record.
    const warning = primer ? (fault.when === 'after' ? primer : undefined) : stateName;
    const failedAnnouncing = (primer ?? stateName) === 'AnnounceSuccess';
    await expectCommitted(world, run.request, {
      ...(warning ? { warning } : {}),
      ...(blue && blueKeptBy(stateName, fault) ? { keptBlue: blue.fleetId } : {}),
      // Announcing that failed before sending sent nothing; after sending, it sent once (not once per retry).
      announced: !failedAnnouncing || (primer === undefined && fault.when === 'after'),
    });
  });
});

/**
 * What a compensation step that keeps failing leaves undone, by when it failed; the rest of compensation runs.
 * Anything not listed must be as before the deployment.
 */
interface Undone {
  /** Green's fleet is kept: it may be serving, or destroying it failed (then it serves nothing). */
  greenKept?: boolean;
  /** Traffic stays on green. */
  trafficOnGreen?: boolean;
  /** Green's image is kept. */
  imageKept?: boolean;
  /** The record keeps status 'compensating' (the store was unreachable through every retry). */
  recordUnfinished?: boolean;
  /** The failure is not in the record. */
  failureUnrecorded?: boolean;
  /** The lock is still held by the failed deployment (the next deployment takes it over). */
  lockHeld?: boolean;
  /** The rollback is not announced. */
  unannounced?: boolean;
}
const UNDONE: Record<string, (when: InjectedFault['when']) => Undone> = {
  RecordFailure: (when) => (when === 'before' ? { failureUnrecorded: true } : {}),
  // Its Catch skips destruction: with routing in doubt, green may be serving.
  RestoreTraffic: (when) => ({ greenKept: true, imageKept: true, trafficOnGreen: when === 'before' }),
  // DiscardBake still runs: the kept fleet serves nothing and is the janitor's, so its image goes.
  DestroyGreen: (when) => (when === 'before' ? { greenKept: true } : {}),
  DiscardBake: (when) => (when === 'before' ? { imageKept: true } : {}),
  RecordRollback: (when) => (when === 'before' ? { recordUnfinished: true } : {}),
  ReleaseLockAfterRollback: (when) => (when === 'before' ? { lockHeld: true } : {}),
  AnnounceRollback: (when) => (when === 'before' ? { unannounced: true } : {}),
};
/** Compensation steps whose failure the record's warnings name (those recorded before RecordRollback ends). */
const WARNED = ['RecordFailure', 'RestoreTraffic', 'DestroyGreen', 'DiscardBake'];

async function expectUndone(
  world: FakeWorld,
  run: Awaited<ReturnType<FakeWorld['deploy']>>,
  before: EnvironmentState,
  stateName: string,
  undone: Undone,
) {
  const { deploymentId, environment } = run.request;
  const after = await environmentState(world, 'web', environment);
  const record = await world.store.getDeployment(deploymentId);
  const greenImage = record?.imageId;
  expect(after).toEqual({
    ...before,
    routes: undone.trafficOnGreen ? after.routes : before.routes,
    previewReaches: undone.greenKept
      ? deploymentId
      : after.previewReaches === undefined
        ? undefined
        : before.previewReaches,
    fleets: undone.greenKept
      ? { ...before.fleets, [deploymentId]: after.fleets[deploymentId] }
      : before.fleets,
    images: undone.imageKept ? [...before.images, greenImage].sort() : before.images,
  });
  if (undone.trafficOnGreen)
    expect(after.routes.find((w) => w.fleetId === deploymentId)?.percent).toBeGreaterThan(0);
  if (undone.greenKept) expect(after.fleets[deploymentId]).toBeDefined();
  expect(world.baker.inFlight()).toEqual([]);
  expect(world.tokens.pendingCount).toBe(0);
  expect(await world.store.lockHolder('web', environment)).toBe(undone.lockHeld ? deploymentId : undefined);
  expect(record?.status).toBe(undone.recordUnfinished ? 'compensating' : 'rolled_back');
  expect(record?.failure?.step).toBe(undone.failureUnrecorded ? undefined : COMPENSATION_PRIMER.stateName);
  expect(record?.warnings).toEqual(
    WARNED.includes(stateName) && !undone.recordUnfinished
      ? [expect.stringContaining(`${stateName} failed`)]
      : [],
  );
  expect(world.notifier.kinds(deploymentId).filter((k) => k === 'rolled_back')).toEqual(
    undone.unannounced ? [] : ['rolled_back'],
  );
}

describe.each(baselines)('fault matrix, compensation steps: $shape', ({ environment, seedBlue, primed }) => {
  const cases = compensationTasks.flatMap((stateName) => FAULT_KINDS.map((kind) => ({ stateName, kind })));

  it.each(cases)('$stateName $kind', async ({ stateName, kind }) => {
    const { world, before } = await matrixWorld(environment, seedBlue);
    const fault = FAULTS[kind](stateName);
    world.faults.push(structuredClone(COMPENSATION_PRIMER), fault);
    const run = await world.deploy({ version: '2.0.0', environment });
    const { deploymentId } = run.request;
    const calls = invocations(world, stateName, deploymentId);
    expect(fault.delivered).toBeGreaterThan(0);

    if (kind === TRANSIENT) {
      expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'InjectedFault' });
      expect(calls).toBe(2);
      expect(await sideEffectsOf(world, deploymentId)).toEqual(primed.sideEffects);
      await expectCompensated(world, run.request, before, COMPENSATION_PRIMER.stateName);
      return;
    }
    // Retried as its Retry allows, then left for the next step.
    expect(calls).toBe(attemptsOf(stateName));
    const undone = UNDONE[stateName]?.(fault.when) ?? {};
    expect(run.outcome).toMatchObject({
      status: 'FAILED',
      // Without RecordFailure's result the flow cannot name the error it compensated for.
      error: stateName === 'RecordFailure' ? 'DeploymentFailed' : 'InjectedFault',
    });
    await expectUndone(world, run, before, stateName, undone);
    // Whatever was left, the next deployment of the environment goes through.
    world.faults.length = 0;
    const next = await world.deploy({ version: '3.0.0', environment });
    expect(next.outcome.status).toBe('SUCCEEDED');
  });

  it('knows what each compensation step leaves undone', () => {
    expect(Object.keys(UNDONE).sort()).toEqual([...compensationTasks].sort());
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
  AskAboutDoubtAtWeight: {
    setUp: (world) => inDoubt(world, 'AskAboutDoubtAtWeight', (step) => step !== 'WatchGreen'),
    error: 'ApprovalTimedOut',
  },
  AskAboutDoubtAfterWatch: {
    setUp: (world) => inDoubt(world, 'AskAboutDoubtAfterWatch', (step) => step === 'WatchGreen'),
    error: 'ApprovalTimedOut',
  },
};

/**
 * Every verdict in doubt (blue busy before the shift, green never counted) under `onInconclusive: approval`; the
 * doubts `unanswered` says go unanswered, the others (and the approval before traffic) are approved.
 */
function inDoubt(world: FakeWorld, state: TaskStateName, unanswered: (step: string) => boolean) {
  const config = matrixConfig();
  Object.assign(config.environments.prod, { analysis: { onInconclusive: 'approval' } });
  world.configs.set('web', config);
  for (const fleetId of world.fleets.fleets.keys())
    world.metrics.byFleet.set(fleetId, { requests: 6000, errors: 0, p99Ms: 20 });
  world.approvals.answerFor = (view) =>
    view.evidence && unanswered(view.evidence.step) ? 'no-answer' : { approve: true, by: 'alice' };
  world.advanceOnCall[state] = 3600;
}

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

describe('fault matrix: every waiting state waits past its deadline', () => {
  it('knows how to stall every waiting state in the definition', () => {
    expect(waitingStates.sort()).toEqual(Object.keys(WAITS).sort());
  });

  it.each(waitingStates)('%s waits past its deadline', async (stateName) => {
    const { world, before } = await matrixWorld('prod', true);
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
    await expectCompensated(world, run.request, before, stateName);
  });
});
