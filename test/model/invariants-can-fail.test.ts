import { describe, expect, it } from 'vitest';
import type { Ports } from '../../core/ports/index.js';
import type { LockAttempt, LockRequest } from '../../core/ports/release-store.js';
import { DEPLOY_HOLDER_BOUNDS } from '../../statemachines/holder-bounds.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';
import { FakesModelWorld, type WorldHooks } from './fakes-world.js';
import type { InvariantName } from './invariants.js';
import { ModelControlPlane } from './model-control-plane.js';
import { TARGETS } from './model-world.js';

/**
 * Each invariant of the model-based test (ADR 37) fails when the orchestrator breaks it: the same control plane
 * and fakes, each with one part made to misbehave, and a short scripted history.
 */
const [staging, prod] = TARGETS;
const EPOCH = Date.parse('2031-01-01T00:00:00.000Z');

/** A janitor that removes every fleet and image it finds. */
class RecklessJanitorWorld extends FakesModelWorld {
  override async runJanitor(ports: Ports, service: string) {
    for (const fleet of this.fleetsOf(service))
      await ports.fleets.destroy({ ...fleet, fleetId: fleet.fleetId, service });
    return { service, dryRun: false, removed: [] } as never;
  }
}

/** A janitor that removes nothing. */
class IdleJanitorWorld extends FakesModelWorld {
  override async runJanitor(_ports: Ports, service: string) {
    return { service, dryRun: false, removed: [] } as never;
  }
}

/** A store whose locks are never released. */
class StickyLockStore extends FakeReleaseStore {
  override async releaseLock() {}
}
class StickyLockWorld extends FakesModelWorld {
  override readonly store = new StickyLockStore();
}

/** A store whose lock lets everyone in. */
class OpenLockStore extends FakeReleaseStore {
  override async acquireLock(_request: LockRequest): Promise<LockAttempt> {
    return { outcome: 'acquired' };
  }
}
class OpenLockWorld extends FakesModelWorld {
  override readonly store = new OpenLockStore();
}

type WorldClass = new (hooks: WorldHooks, startMs: number) => FakesModelWorld;

function planeOver(World: WorldClass) {
  const plane = new ModelControlPlane(
    { quietMs: 100, settleMs: 20_000 },
    { janitorAfterEachDeployment: false },
  );
  plane.begin((history) => {
    const hooks: WorldHooks = {
      callbacks: plane.tokens,
      removing: (fleetId, how) => plane.monitor.removing(fleetId, how),
      gate: (what) => plane.scheduler.gate(what),
      during: (work) => plane.scheduler.during(work),
    };
    return new World(hooks, EPOCH + history * 24 * 3600 * 1000);
  });
  return plane;
}

const broken = (plane: ModelControlPlane): InvariantName[] => [
  ...new Set(plane.monitor.violations.map((v) => v.invariant)),
];

describe('the model-based test’s invariants can fail', () => {
  it('a janitor that removes a fleet the listener routes to breaks invariant 1', async () => {
    const plane = planeOver(RecklessJanitorWorld);
    await plane.deploy(staging, 'healthy', true);
    await plane.settle(1);
    expect(broken(plane)).toEqual([]);
    plane.startJanitor('reckless');
    await plane.settle(1);
    expect(broken(plane)).toContain('routedFleetKept');
    await plane.end();
  });

  it('a listener that routes elsewhere than the live release breaks invariant 2', async () => {
    const plane = planeOver(FakesModelWorld);
    await plane.deploy(staging, 'healthy', true);
    await plane.settle(1);
    expect(broken(plane)).toEqual([]);
    const world = plane.world as FakesModelWorld;
    world.traffic.routes.set('web/staging', [{ fleetId: 'a-fleet-of-nobody', percent: 100 }]);
    plane.afterCommand();
    expect(broken(plane)).toEqual(['oneLiveRelease']);
    await plane.end();
  });

  it('a lock that outlives its deployment breaks invariant 3', async () => {
    const plane = planeOver(StickyLockWorld);
    await plane.deploy(staging, 'healthy', true);
    await plane.settle(1);
    expect(broken(plane)).toEqual([]);
    // Past the longest the holder could still be in drain, reap or prune (ADR 35): its lock is stale.
    plane.world.clock.advance(DEPLOY_HOLDER_BOUNDS.afterCommitSeconds + 1);
    await plane.deploy(staging, 'healthy', true);
    await plane.settle(1);
    expect(broken(plane)).toContain('noStaleLock');
    await plane.end();
  });

  it('a janitor that leaves what nothing needs breaks invariant 4', async () => {
    const plane = planeOver(IdleJanitorWorld);
    await plane.deploy(staging, 'healthy', true);
    await plane.settle(1);
    // Blue is left for the janitor when reaping fails for good (a cleanup warning).
    plane.armFault({
      stateName: 'ReapBlue',
      when: 'before',
      callsBeforeCut: 0,
      persistence: 'always',
      error: 'InjectedFault',
    });
    await plane.deploy(staging, 'healthy', true);
    await plane.settle(2);
    expect(broken(plane)).toEqual([]);
    plane.startJanitor('idle');
    await plane.settle(3);
    expect(broken(plane)).toEqual(['janitorLeavesOnlyWhatIsNeeded']);
    expect(plane.monitor.violations[0]?.detail).toMatch(/still has fleet web-staging-/);
    await plane.end();
  });

  it('two deployments of one environment let in together break invariant 5', async () => {
    let found = false;
    for (let seed = 1; seed <= 20 && !found; seed++) {
      const plane = planeOver(OpenLockWorld);
      await plane.deploy(prod, 'healthy', true);
      await plane.settle(seed);
      await plane.deploy(prod, 'healthy', true);
      await plane.deploy(prod, 'healthy', true);
      await plane.settle(seed);
      found = broken(plane).includes('oneShiftAtATime');
      await plane.end();
    }
    expect(found).toBe(true);
  });
});
