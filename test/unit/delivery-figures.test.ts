import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { deliveryFigures, median } from '../../core/stats/delivery-figures.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const period = { since: new Date(T0), until: new Date(T0 + 30 * 86_400_000) };
const target = { service: 'web', environment: 'prod' };

/** One generated deployment: its trigger, outcome, when it was asked for and how long its steps took. */
const recordArb = fc
  .record({
    trigger: fc.constantFrom('artifact', 'promote', 'manual', 'rollback', 'congruence'),
    status: fc.constantFrom('succeeded', 'rolled_back', 'superseded'),
    requestedMinute: fc.integer({ min: -5000, max: 50_000 }),
    toShift: fc.integer({ min: 1, max: 3600 }),
    toCommit: fc.integer({ min: 1, max: 3600 }),
    shifted: fc.boolean(),
  })
  .map((g): Omit<DeploymentRecord, 'deploymentId'> => {
    const requested = T0 + g.requestedMinute * 60_000;
    const shift = requested + g.toShift * 1000;
    const end = shift + g.toCommit * 1000;
    return {
      ...target,
      trigger: g.trigger as DeploymentRecord['trigger'],
      version: '1',
      requestedBy: 'ci',
      requestedAt: iso(requested),
      status: g.status as DeploymentRecord['status'],
      greenFleetId: 'f',
      phases: {
        ...(g.shifted || g.status === 'succeeded' ? { shift: iso(shift) } : {}),
        ...(g.status === 'succeeded' ? { commit: iso(end) } : {}),
      },
      warnings: [],
      finishedAt: iso(end),
    };
  });
const recordsArb = fc
  .array(recordArb, { maxLength: 40 })
  .map((rs) => rs.map((r, i): DeploymentRecord => ({ ...r, deploymentId: `d${i}` })));

const inPeriod = (r: DeploymentRecord) =>
  Date.parse(r.requestedAt) >= period.since.getTime() && Date.parse(r.requestedAt) < period.until.getTime();
const isChange = (r: DeploymentRecord) => ['artifact', 'promote', 'manual'].includes(r.trigger);

describe('delivery figures (DORA’s definitions over the release store’s records)', () => {
  it('counts the changes that went live in the period, per day, whatever order the records come in', () => {
    fc.assert(
      fc.property(recordsArb, fc.infiniteStream(fc.nat()), (records, seeds) => {
        const figures = deliveryFigures(records, target, period);
        const live = records.filter((r) => isChange(r) && inPeriod(r) && r.status === 'succeeded');
        expect(figures.deployments).toBe(live.length);
        expect(figures.deploymentsPerDay).toBeCloseTo(live.length / 30);
        const shuffled = [...records].sort(() => (seeds.next().value % 3) - 1);
        expect(deliveryFigures(shuffled, target, period)).toEqual(figures);
      }),
    );
  });

  it('keeps the change failure rate in [0, 1] over the changes that ended, and lead times between their bounds', () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const figures = deliveryFigures(records, target, period);
        const ended = records.filter(
          (r) => isChange(r) && inPeriod(r) && ['succeeded', 'rolled_back'].includes(r.status),
        );
        if (ended.length === 0) expect(figures.changeFailureRate).toBeNull();
        else {
          expect(figures.changeFailureRate).toBeGreaterThanOrEqual(0);
          expect(figures.changeFailureRate).toBeLessThanOrEqual(1);
          expect(figures.failedChanges).toBeGreaterThanOrEqual(
            ended.filter((r) => r.status === 'rolled_back').length,
          );
        }
        const leads = ended
          .filter((r) => r.status === 'succeeded')
          .map((r) => (Date.parse(r.phases.commit ?? '') - Date.parse(r.requestedAt)) / 1000);
        if (leads.length === 0) expect(figures.leadTimeSeconds).toBeNull();
        else {
          expect(figures.leadTimeSeconds).toBeGreaterThanOrEqual(Math.min(...leads));
          expect(figures.leadTimeSeconds).toBeLessThanOrEqual(Math.max(...leads));
        }
      }),
    );
  });

  it('an operator’s rollback right after a change that went live makes it a failed change, restored when the rollback ended', () => {
    fc.assert(
      fc.property(recordsArb, fc.integer({ min: 1, max: 7200 }), (records, rollbackSeconds) => {
        const lastAt = Math.max(T0, ...records.map((r) => Date.parse(r.requestedAt)));
        const change: DeploymentRecord = {
          deploymentId: 'change',
          ...target,
          trigger: 'artifact',
          version: '2',
          requestedBy: 'ci',
          requestedAt: iso(lastAt + 60_000),
          status: 'succeeded',
          greenFleetId: 'g',
          phases: { shift: iso(lastAt + 120_000), commit: iso(lastAt + 180_000) },
          warnings: [],
          finishedAt: iso(lastAt + 180_000),
        };
        const rollback: DeploymentRecord = {
          ...change,
          deploymentId: 'rollback',
          trigger: 'rollback',
          requestedAt: iso(lastAt + 240_000),
          finishedAt: iso(lastAt + 180_000 + rollbackSeconds * 1000),
          phases: {},
        };
        const wide = { since: period.since, until: new Date(lastAt + 86_400_000) };
        const before = deliveryFigures([...records, change], target, wide);
        const after = deliveryFigures([...records, change, rollback], target, wide);
        expect(after.failedChanges).toBe(before.failedChanges + 1);
        expect(after.deployments).toBe(before.deployments);
        if (after.failedChanges === 1) expect(after.timeToRestoreSeconds).toBe(rollbackSeconds);
      }),
    );
  });

  it('median: the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('change failure attribution', () => {
  const minute = (n: number) => iso(T0 + n * 60_000);
  /** A deployment of web/prod requested at minute `n`, ended a minute later. */
  const deployment = (
    id: string,
    n: number,
    fields: Partial<DeploymentRecord> & Pick<DeploymentRecord, 'trigger' | 'version' | 'status'>,
  ): DeploymentRecord => ({
    deploymentId: id,
    ...target,
    requestedBy: 'ci',
    requestedAt: minute(n),
    greenFleetId: `f-${id}`,
    phases: { shift: minute(n + 0.5), ...(fields.status === 'succeeded' ? { commit: minute(n + 1) } : {}) },
    warnings: [],
    finishedAt: minute(n + 1),
    ...fields,
  });
  const live = (version: string) => ({
    service: 'web',
    environment: 'prod',
    version,
    imageId: `ami-${version}`,
    fleetId: `f-${version}`,
    deploymentId: `d-${version}`,
    capacity: { min: 1, desired: 1, max: 1 },
    liveSince: minute(0),
  });

  it('blames an operator’s rollback on the change that brought in the version it replaced, even with a failed change between', () => {
    const records = [
      deployment('v1', 10, { trigger: 'artifact', version: '1', status: 'succeeded' }),
      deployment('v2', 20, { trigger: 'artifact', version: '2', status: 'succeeded' }),
      // v3 failed on its own and was rolled back automatically: v2 stayed live.
      deployment('v3', 30, { trigger: 'artifact', version: '3', status: 'rolled_back' }),
      // The operator then rolls v2 back to v1.
      deployment('rb', 40, {
        trigger: 'rollback',
        version: '1',
        status: 'succeeded',
        previousRelease: live('2'),
      }),
    ];
    const figures = deliveryFigures(records, target, period);
    expect(figures.failedChanges).toBe(2);
    expect(figures.changeFailureRate).toBeCloseTo(2 / 3);
    expect(figures.deployments).toBe(2);
  });

  it('blames it across a congruence run of the same version, and never counts the rollback itself', () => {
    const records = [
      deployment('v1', 10, { trigger: 'artifact', version: '1', status: 'succeeded' }),
      deployment('v2', 20, { trigger: 'artifact', version: '2', status: 'succeeded' }),
      deployment('nightly', 25, { trigger: 'congruence', version: '2', status: 'succeeded' }),
      deployment('rb', 40, { trigger: 'rollback', version: '1', status: 'succeeded' }),
    ];
    const figures = deliveryFigures(records, target, period);
    expect(figures.failedChanges).toBe(1);
    expect(figures.changeFailureRate).toBe(0.5);
    // From v2 going live (minute 21) to the rollback's end (minute 41).
    expect(figures.timeToRestoreSeconds).toBe(20 * 60);
  });

  it('restores at the operator’s rollback that succeeded, when an earlier attempt failed', () => {
    const records = [
      deployment('v1', 10, { trigger: 'artifact', version: '1', status: 'succeeded' }),
      deployment('v2', 20, { trigger: 'artifact', version: '2', status: 'succeeded' }),
      // The first rollback failed (its green never got healthy): v2 stayed live. The second one restored v1.
      deployment('rb1', 30, {
        trigger: 'rollback',
        version: '1',
        status: 'rolled_back',
        previousRelease: live('2'),
      }),
      deployment('rb2', 40, {
        trigger: 'rollback',
        version: '1',
        status: 'succeeded',
        previousRelease: live('2'),
      }),
    ];
    const figures = deliveryFigures(records, target, period);
    expect(figures.failedChanges).toBe(1);
    // From v2 going live (minute 21) to the second rollback's end (minute 41).
    expect(figures.timeToRestoreSeconds).toBe(20 * 60);
  });

  it('does not count a deployment that never began (refused after waiting, in PrepareDeployment) as a failed change', () => {
    const records = [
      deployment('v1', 10, { trigger: 'artifact', version: '1', status: 'succeeded' }),
      deployment('v2', 20, {
        trigger: 'artifact',
        version: '2',
        status: 'rolled_back',
        phases: {},
        failure: {
          step: 'PrepareDeployment',
          error: 'RefusedAfterWaiting',
          cause: 'Frozen: web/prod is frozen',
        },
      }),
    ];
    const figures = deliveryFigures(records, target, period);
    expect(figures.failedChanges).toBe(0);
    expect(figures.changeFailureRate).toBe(0);
  });

  it('runs lead time from the upload a promotion carries, not from the promotion', () => {
    const promoted = deployment('p', 100, {
      trigger: 'promote',
      version: '1',
      status: 'succeeded',
      changeRequestedAt: minute(10),
    });
    // Live at minute 101, uploaded at minute 10.
    expect(deliveryFigures([promoted], target, period).leadTimeSeconds).toBe(91 * 60);
  });
});
