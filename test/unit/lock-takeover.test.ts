import { describe, expect, it } from 'vitest';
import { MAX_DRAIN_SECONDS } from '../../core/config/service-config.js';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { holderIsDone, verdictByExecution } from '../../core/deployment/lock-takeover.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import {
  DEPLOY_HOLDER_BOUNDS,
  holderBoundsOf,
  longestPathSeconds,
  worstCaseTaskSeconds,
} from '../../statemachines/holder-bounds.js';

const definition = loadDeployDefinition();
const worst = (name: string) => {
  const state = definition.States[name];
  if (!state) throw new Error(`no state ${name}`);
  return worstCaseTaskSeconds(name, state);
};

describe("a lock holder's bounds, from the state machine's TimeoutSeconds and Retry", () => {
  it('a Task at its worst: every attempt times out and every retry waits its longest (capped backoff)', () => {
    const state = {
      Type: 'Task',
      TimeoutSeconds: 100,
      Retry: [
        { ErrorEquals: ['InvalidInput'], MaxAttempts: 0 },
        {
          ErrorEquals: ['States.ALL'],
          IntervalSeconds: 2,
          MaxAttempts: 4,
          BackoffRate: 3,
          MaxDelaySeconds: 10,
        },
      ],
    };
    // 5 attempts of 100 s; waits 2, 6, 10 (capped), 10.
    expect(worstCaseTaskSeconds('T', state)).toBe(5 * 100 + 2 + 6 + 10 + 10);
    expect(() => worstCaseTaskSeconds('T', { Type: 'Task' })).toThrow(
      'T: a bounded step needs TimeoutSeconds',
    );
  });

  it('are the longest paths of deploy.asl.json, the drain at the longest deregistration delay', () => {
    expect(DEPLOY_HOLDER_BOUNDS).toEqual({
      afterCommitSeconds:
        worst('CommitRelease') +
        worst('DrainBlue') +
        MAX_DRAIN_SECONDS +
        worst('ReapBlue') +
        worst('PruneImages'),
      pruneSeconds: worst('PruneImages'),
      compensationSeconds: [
        'RecordFailure',
        'RestoreTraffic',
        'DestroyGreen',
        'DiscardBake',
        'RecordRollback',
        'ReleaseLockAfterRollback',
      ]
        .map(worst)
        .reduce((a, b) => a + b),
      executionSeconds: definition.TimeoutSeconds,
      taskSeconds: Math.max(
        ...Object.values(definition.States).map((s) => (s.Type === 'Task' ? (s.TimeoutSeconds ?? 0) : 0)),
      ),
    });
  });

  it('follow the definition: a longer timeout or one more retry lengthens them', () => {
    const changed = structuredClone(definition);
    const prune = changed.States.PruneImages;
    if (!prune?.TimeoutSeconds) throw new Error('PruneImages has no TimeoutSeconds');
    prune.TimeoutSeconds += 10;
    const reap = changed.States.ReapBlue?.Retry?.find((r) => r.ErrorEquals.includes('States.ALL'));
    if (!reap?.MaxAttempts) throw new Error('ReapBlue has no States.ALL retrier');
    reap.MaxAttempts += 1;
    const before = holderBoundsOf(definition, 60);
    const after = holderBoundsOf(changed, 60);
    const pruneAttempts = 1 + (prune.Retry ?? []).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0);
    expect(after.pruneSeconds - before.pruneSeconds).toBe(10 * pruneAttempts);
    expect(after.afterCommitSeconds - before.afterCommitSeconds).toBeGreaterThan(
      10 * pruneAttempts + (definition.States.ReapBlue?.TimeoutSeconds ?? 0),
    );
  });

  it('refuse a path that loops or does not reach its end', () => {
    expect(() => longestPathSeconds(definition, 'ShiftTraffic', 'CommitRelease', 60)).toThrow(/loop/);
    expect(() => longestPathSeconds(definition, 'PruneImages', 'RecordFailure', 60)).toThrow(
      'state RecordFailure cannot be reached from PruneImages',
    );
  });
});

describe('whether a lock holder can still act under its lock', () => {
  const bounds = {
    afterCommitSeconds: 7000,
    pruneSeconds: 800,
    compensationSeconds: 4500,
    executionSeconds: 86_400,
    taskSeconds: 300,
  };
  const t0 = Date.parse('2026-12-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(t0 + seconds * 1000);
  const iso = (seconds: number) => at(seconds).toISOString();
  const holder = (fields: Partial<DeploymentRecord>): DeploymentRecord => ({
    deploymentId: 'web-staging-holder',
    service: 'web',
    environment: 'staging',
    trigger: 'artifact',
    version: '1.0.0',
    requestedBy: 'test',
    requestedAt: iso(0),
    status: 'in_progress',
    greenFleetId: 'web-staging-holder',
    phases: { prepare: iso(0) },
    warnings: [],
    ...fields,
  });

  it.each([
    ['rolled_back: at once', holder({ status: 'rolled_back', finishedAt: iso(10) }), 11, true],
    ['superseded: at once', holder({ status: 'superseded', finishedAt: iso(10) }), 11, true],
    // Succeeded at the commit, while drain, reap and prune may still run: not before all of them are over.
    [
      'succeeded, draining',
      holder({ status: 'succeeded', phases: { prepare: iso(0), commit: iso(100), reap: iso(110) } }),
      100 + 6999,
      false,
    ],
    [
      'succeeded, beyond drain, reap and prune',
      holder({ status: 'succeeded', phases: { prepare: iso(0), commit: iso(100) } }),
      100 + 7001,
      true,
    ],
    [
      'succeeded, pruning',
      holder({ status: 'succeeded', phases: { prepare: iso(0), commit: iso(100), prune: iso(200) } }),
      200 + 799,
      false,
    ],
    [
      'succeeded, beyond prune',
      holder({ status: 'succeeded', phases: { prepare: iso(0), commit: iso(100), prune: iso(200) } }),
      200 + 801,
      true,
    ],
    [
      'compensating',
      holder({ status: 'compensating', phases: { prepare: iso(0), compensate: iso(50) } }),
      50 + 4499,
      false,
    ],
    [
      'compensating, beyond its steps',
      holder({ status: 'compensating', phases: { prepare: iso(0), compensate: iso(50) } }),
      50 + 4501,
      true,
    ],
    ['in progress (e.g. awaiting approval)', holder({}), 86_399, false],
    ['in progress beyond the execution timeout', holder({}), 86_401, true],
  ] as const)('%s', (_, record, nowSeconds, done) => {
    expect(holderIsDone(record, bounds, at(nowSeconds)).done).toBe(done);
  });

  it('says why, naming the step and time the bound counts from', () => {
    const verdict = holderIsDone(
      holder({ status: 'succeeded', phases: { prepare: iso(0), commit: iso(100), prune: iso(200) } }),
      bounds,
      at(2000),
    );
    expect(verdict).toEqual({
      done: true,
      reason: `it succeeded and PruneImages, its last step under the lock, started at ${iso(200)} (at most 800s)`,
    });
  });

  it("waits out a stopped execution's last step: its Lambda may still shift or commit until that step's timeout", () => {
    const stopped = { running: false as const, status: 'ABORTED', endedAt: iso(1000) };
    const shifting = holder({ phases: { prepare: iso(0), shift: iso(900) } });
    expect(verdictByExecution(shifting, stopped, bounds, at(1000 + 299)).done).toBe(false);
    expect(verdictByExecution(shifting, stopped, bounds, at(1000 + 301)).done).toBe(true);
    expect(verdictByExecution(shifting, { running: true }, bounds, at(99_999)).done).toBe(false);
  });
});
