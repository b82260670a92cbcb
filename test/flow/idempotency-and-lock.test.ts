import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { ExecutionAlreadyExists } from '../../local/engine/local-engine.js';
import type { LocalExecution } from '../../local/engine/local-execution.js';
import { DEPLOY_HOLDER_BOUNDS } from '../../statemachines/holder-bounds.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';

/** When did this execution hold the lock: from Prepare's success to the lock's release. */
function lockWindow(execution: LocalExecution) {
  const at = (type: string, state: string) =>
    execution.events.find((e) => e.type === type && 'state' in e && e.state.name === state)?.timestamp;
  const from = at('StateExited', 'PrepareDeployment');
  const to = at('StateExited', 'ReleaseLock') ?? at('StateExited', 'ReleaseLockAfterRollback');
  if (from === undefined || to === undefined)
    throw new Error(`${execution.name} never held and released the lock`);
  return { from, to };
}

describe('idempotency and the service+environment lock', () => {
  it('two starts with the same deployment id make one deployment', async () => {
    const world = new FakeWorld();
    const request = world.request({ version: '1.0.0' });
    const first = world.start(request);
    const second = world.start(request);
    expect(second).toBe(first);
    expect((await first.outcome).status).toBe('SUCCEEDED');

    expect(() => world.start(request)).toThrow(ExecutionAlreadyExists);
    expect(world.fleets.launches).toBe(1);
    expect(world.baker.bakes.size).toBe(1);
  });

  it('a repeated deployment id that reaches Prepare again (e.g. after a restart) changes nothing', async () => {
    const world = new FakeWorld();
    const request = world.request({ version: '1.0.0' });
    expect((await world.start(request).outcome).status).toBe('SUCCEEDED');
    const before = await world.store.getDeployment(request.deploymentId);

    // The same request on a fresh engine whose store already has the record: the engine does not know the name.
    const engine2 = new FakeWorld();
    engine2.store.deployments.set(request.deploymentId, structuredClone(before) as never);
    const outcome = await engine2.start(request).outcome;
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'DeploymentAlreadyExists' });
    expect(engine2.fleets.launches).toBe(0);
    expect(await engine2.store.getDeployment(request.deploymentId)).toEqual(before);
  });

  it('two deployments of one service+environment never hold the lock at the same time', async () => {
    // A waiting deployment retries Prepare every 5 ms of real time, up to the ASL's bound.
    const world = new FakeWorld({ timing: { retryIntervalMs: { PrepareDeployment: 5 } } });
    world.baker.bakeDelayMs = 20;
    const a = world.start(world.request({ version: '1.0.0' }));
    const b = world.start(world.request({ version: '2.0.0' }));
    const [outcomeA, outcomeB] = await Promise.all([a.outcome, b.outcome]);

    expect(outcomeA.status).toBe('SUCCEEDED');
    expect(outcomeB.status).toBe('SUCCEEDED');
    const [first, second] = [lockWindow(a), lockWindow(b)].sort((x, y) => x.from - y.from);
    expect(first && second && first.to <= second.from).toBe(true);
    expect(b.events.some((e) => e.type === 'StateRetried' && e.state.name === 'PrepareDeployment')).toBe(
      true,
    );
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('2.0.0');
  });

  it('latest wins: a newer request supersedes an older one still waiting for the lock', async () => {
    const world = new FakeWorld({ timing: { retryIntervalMs: { PrepareDeployment: 5 } } });
    world.baker.bakeDelayMs = 30;
    const running = world.start(world.request({ version: '1.0.0' }));
    const older = world.request({ version: '2.0.0' });
    const newer = world.request({ version: '3.0.0' });
    const waitingOlder = world.start(older);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const waitingNewer = world.start(newer);

    const outcomes = await Promise.all([running.outcome, waitingOlder.outcome, waitingNewer.outcome]);
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(outcomes[1]?.error).toBe('Superseded');
    expect((await world.store.getDeployment(older.deploymentId))?.status).toBe('superseded');
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('3.0.0');
    expect(world.fleets.fleets.has(older.deploymentId)).toBe(false);
  });
});

describe('waiting for the lock', () => {
  it('ends at the configured lock wait (7200 s) with LockTimeout, not when the Retry schedule runs out', async () => {
    const world = new FakeWorld();
    world.configs.set('web', { ...webConfig(), lockWaitSeconds: 7200 });
    // Another deployment holds the lock and never lets go.
    await world.store.acquireLock({
      service: 'web',
      environment: 'staging',
      deploymentId: 'web-staging-stuck',
      requestedAt: '2000-01-01T00:00:00.000Z',
    });
    const waiting = world.start(world.request({ version: '2.0.0' }));
    const outcome = await waiting.outcome;
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'LockTimeout' });
    expect(outcome.cause).toContain('after 7200s');
  });
});

describe('a lock its holder never released (ADR 35)', () => {
  const warningsOf = async (world: FakeWorld, deploymentId: string) =>
    (await world.store.getDeployment(deploymentId))?.warnings ?? [];

  it('a succeeded deployment whose ReleaseLock and RecordCleanupWarnings failed for good is taken over once PruneImages cannot be running, and both records and an announcement say so', async () => {
    const world = new FakeWorld();
    // Whether its execution ended cannot be told (throttled): the state machine's bounds decide.
    world.executions.failWith = 'ThrottlingException';
    world.faults.push(
      { stateName: 'ReleaseLock', when: 'before' },
      { stateName: 'RecordCleanupWarnings', when: 'before' },
    );
    const stuck = await world.deploy({ version: '1.0.0' });
    expect(stuck.outcome.status).toBe('SUCCEEDED');
    expect(await world.store.lockHolder('web', 'staging')).toBe(stuck.request.deploymentId);
    world.faults.length = 0;

    // The next deployment waits (its LockHeld retries pass time as on AWS), then takes the lock over.
    const next = await world.deploy({ version: '2.0.0' });
    expect(next.outcome.status).toBe('SUCCEEDED');
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('2.0.0');
    const [released] = await warningsOf(world, stuck.request.deploymentId);
    expect(released).toMatch(
      new RegExp(`^lock: released at \\S+ for ${next.request.deploymentId}, as it succeeded and PruneImages`),
    );
    // Not before PruneImages, its last step under the lock, could have ended.
    const releasedAt = Date.parse(/released at (\S+) /.exec(released ?? '')?.[1] ?? '');
    const pruneStarted = Date.parse(stuck.record?.phases.prune ?? '');
    expect(releasedAt - pruneStarted).toBeGreaterThan(DEPLOY_HOLDER_BOUNDS.pruneSeconds * 1000);
    expect(await warningsOf(world, next.request.deploymentId)).toEqual([
      expect.stringMatching(`^lock: took over the lock of ${stuck.request.deploymentId} \\(succeeded\\)`),
    ]);
    expect(world.notifier.kinds(next.request.deploymentId)).toContain('lock_taken_over');
  });

  it('a deployment stuck compensating (RecordRollback and ReleaseLockAfterRollback failed for good) is waited for while its compensation may run, then taken over', async () => {
    const world = new FakeWorld();
    world.executions.failWith = 'AccessDeniedException';
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RecordRollback', when: 'before' },
      { stateName: 'ReleaseLockAfterRollback', when: 'before' },
    );
    const stuck = await world.deploy({ version: '1.0.0' });
    expect(stuck.outcome.status).toBe('FAILED');
    expect((await world.store.getDeployment(stuck.request.deploymentId))?.status).toBe('compensating');
    world.faults.length = 0;

    // Within its compensation's bound (longer than the lock wait) the next deployment waits and gives up.
    expect(DEPLOY_HOLDER_BOUNDS.compensationSeconds).toBeGreaterThan(
      parseServiceConfig(webConfig(), 'web').lockWaitSeconds,
    );
    const waiting = await world.deploy({ version: '2.0.0' });
    expect(waiting.outcome).toMatchObject({ status: 'FAILED', error: 'LockTimeout' });
    expect(await world.store.lockHolder('web', 'staging')).toBe(stuck.request.deploymentId);

    world.clock.advance(DEPLOY_HOLDER_BOUNDS.compensationSeconds);
    const next = await world.deploy({ version: '3.0.0' });
    expect(next.outcome.status).toBe('SUCCEEDED');
    expect(await warningsOf(world, stuck.request.deploymentId)).toContainEqual(
      expect.stringMatching(`for ${next.request.deploymentId}, as it began compensating at`),
    );
    expect(await warningsOf(world, next.request.deploymentId)).toEqual([
      expect.stringMatching(`^lock: took over the lock of ${stuck.request.deploymentId} \\(compensating\\)`),
    ]);
  });

  it('a succeeded deployment still reaping blue keeps its lock, however long it takes within its bound: the next one waits, then follows', async () => {
    const world = new FakeWorld({ timing: { retryIntervalMs: { PrepareDeployment: 5 } } });
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    // Reaping blue hangs until released: the record says succeeded all the while.
    let reaping: () => void = () => undefined;
    const reaped = new Promise<void>((resolve) => {
      reaping = resolve;
    });
    let reapStarted: () => void = () => undefined;
    const reapStartedPromise = new Promise<void>((resolve) => {
      reapStarted = resolve;
    });
    const destroy = world.fleets.destroy.bind(world.fleets);
    world.fleets.destroy = async (ref) => {
      reapStarted();
      await reaped;
      return destroy(ref);
    };
    const first = world.start(world.request({ version: '2.0.0' }));
    await reapStartedPromise;
    world.fleets.destroy = destroy;
    expect((await world.store.getDeployment(first.name))?.status).toBe('succeeded');
    // Nearly as long as drain, reap and prune may take: still within the bound.
    world.clock.advance(DEPLOY_HOLDER_BOUNDS.afterCommitSeconds - 600);
    const second = world.start(world.request({ version: '3.0.0' }));
    while (second.events.filter((e) => e.type === 'StateRetried').length < 3)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await world.store.lockHolder('web', 'staging')).toBe(first.name);
    reaping();

    const outcomes = await Promise.all([first.outcome, second.outcome]);
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const [a, b] = [lockWindow(first), lockWindow(second)];
    expect(a.to).toBeLessThanOrEqual(b.from);
    expect(await warningsOf(world, second.name)).toEqual([]);
  });
});

describe("a lock whose holder's execution ended (ADR 35, amended)", () => {
  const warningsOf = async (world: FakeWorld, deploymentId: string) =>
    (await world.store.getDeployment(deploymentId))?.warnings ?? [];

  /** A deployment stopped from outside (StopExecution, a crash) just after its first shift to green. */
  async function stoppedWhileShifting(world: FakeWorld) {
    const config = webConfig();
    Object.assign(config.environments.staging, { traffic: config.environments.prod.traffic });
    world.configs.set('web', config);
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    const shift = world.traffic.shift.bind(world.traffic);
    let shifted: () => void = () => undefined;
    const firstShift = new Promise<void>((resolve) => {
      shifted = resolve;
    });
    world.traffic.shift = async (listener, weights) => {
      await shift(listener, weights);
      shifted();
      return new Promise<never>(() => undefined);
    };
    const stopped = world.start(world.request({ version: '2.0.0' }));
    await firstShift;
    world.traffic.shift = shift;
    stopped.abort();
    expect((await stopped.outcome).status).toBe('ABORTED');
    const record = await world.store.getDeployment(stopped.name);
    expect(record?.status).toBe('in_progress');
    expect(await world.store.lockHolder('web', 'staging')).toBe(stopped.name);
    return { stopped, record };
  }

  it("an in_progress holder whose execution was stopped from outside is taken over at once, not after the state machine's timeout, saying traffic may be split", async () => {
    const world = new FakeWorld();
    const { stopped, record } = await stoppedWhileShifting(world);
    const weightsLeft = (await world.traffic.current({ service: 'web', environment: 'staging' })).weights;
    expect(weightsLeft.map((w) => w.percent).sort((a, b) => a - b)).toEqual([10, 90]);

    const next = await world.deploy({ version: '3.0.0' });
    expect(next.outcome.status).toBe('SUCCEEDED');
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('3.0.0');
    // Well within the holder's bounds (7 days for an in_progress one): no time had to pass.
    expect(world.clock.now().getTime() - Date.parse(record?.phases.prepare ?? '')).toBeLessThan(
      DEPLOY_HOLDER_BOUNDS.executionSeconds * 1000,
    );
    expect(world.executions.asked).toContain(stopped.name);
    const [released] = await warningsOf(world, stopped.name);
    expect(released).toMatch(
      new RegExp(
        `^lock: released at \\S+ for ${next.request.deploymentId}, as its execution ended ABORTED while its record says in_progress; it was shifting traffic: the listener may be split`,
      ),
    );
    expect(await warningsOf(world, next.request.deploymentId)).toEqual([
      expect.stringMatching(
        `^lock: took over the lock of ${stopped.name} \\(in_progress\\), as its execution ended ABORTED`,
      ),
    ]);
    expect(world.notifier.kinds(next.request.deploymentId)).toContain('lock_taken_over');
  });

  it('a holder stuck compensating whose execution failed is taken over at once', async () => {
    const world = new FakeWorld();
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RecordRollback', when: 'before' },
      { stateName: 'ReleaseLockAfterRollback', when: 'before' },
    );
    const stuck = await world.deploy({ version: '1.0.0' });
    expect((await world.store.getDeployment(stuck.request.deploymentId))?.status).toBe('compensating');
    world.faults.length = 0;

    const next = await world.deploy({ version: '2.0.0' });
    expect(next.outcome.status).toBe('SUCCEEDED');
    expect(await warningsOf(world, stuck.request.deploymentId)).toContainEqual(
      expect.stringMatching(
        'as its execution ended FAILED while its record says compensating; its compensation did not finish: traffic may be split',
      ),
    );
  });

  it('when whether the execution runs cannot be told (throttled), the holder is waited for within its bounds (fail closed)', async () => {
    const world = new FakeWorld();
    const { stopped } = await stoppedWhileShifting(world);
    world.executions.failWith = 'ThrottlingException';

    const waiting = await world.deploy({ version: '3.0.0' });
    expect(waiting.outcome).toMatchObject({ status: 'FAILED', error: 'LockTimeout' });
    expect(world.executions.asked).toContain(stopped.name);
    expect(await world.store.lockHolder('web', 'staging')).toBe(stopped.name);
    expect(await warningsOf(world, stopped.name)).toEqual([]);
  });
});
