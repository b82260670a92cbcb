import { describe, expect, it } from 'vitest';
import type { WindowMetrics } from '../../core/analysis/window-metrics.js';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { readDeploymentMetrics } from '../../core/operations/read-deployment-metrics.js';
import { chartDataOf } from '../../operator/console/chart-data.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';
import { FakeTrafficMetrics } from '../support/fakes/fake-traffic-metrics.js';

const SHIFT = '2026-11-03T10:00:00.000Z';
const record = (extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  deploymentId: 'hello-staging-2',
  service: 'hello',
  environment: 'staging',
  trigger: 'manual',
  version: '2.0.0',
  requestedBy: 'ana',
  requestedAt: '2026-11-03T09:59:00.000Z',
  status: 'in_progress',
  greenFleetId: 'hello-staging-2',
  blue: { fleetId: 'hello-staging-1', imageId: 'img-1', version: '1.0.0' },
  phases: { shift: SHIFT },
  warnings: [],
  ...extra,
});
const at = (seconds: number) => ({ now: () => new Date(Date.parse(SHIFT) + seconds * 1000) });
const window = (requests: number, errors: number, p99Ms: number | null): WindowMetrics => ({
  requests,
  errors,
  p99Ms,
});

describe("a deployment's figures for the console's charts (core/operations/read-deployment-metrics.ts)", () => {
  it('nothing before the first shift; then one point per period, green and blue each', async () => {
    const store = new FakeReleaseStore();
    await store.createDeployment(record({ phases: {} }));
    const metrics = new FakeTrafficMetrics();
    metrics.bucketSeconds = 1;
    const none = await readDeploymentMetrics(
      { store, metrics, clock: at(10) },
      { deploymentId: 'hello-staging-2' },
      { minPeriodSeconds: 1, maxPoints: 120 },
    );
    expect(none.points).toEqual([]);

    await store.updateDeployment('hello-staging-2', { phases: { shift: SHIFT } });
    metrics.byFleet.set('hello-staging-2', window(50, 1, 12));
    metrics.byFleet.set('hello-staging-1', window(450, 0, 9));
    const read = await readDeploymentMetrics(
      { store, metrics, clock: at(4.5) },
      { deploymentId: 'hello-staging-2' },
      { minPeriodSeconds: 1, maxPoints: 120 },
    );
    expect(read.periodSeconds).toBe(1);
    expect(read.points.map((p) => p.at)).toEqual(
      [0, 1, 2, 3, 4].map((s) => new Date(Date.parse(SHIFT) + s * 1000).toISOString()),
    );
    expect(read.points[0]).toMatchObject({ green: window(50, 1, 12), blue: window(450, 0, 9) });
    // One series over the whole deployment, to the end of its last period, summed period by period.
    expect(metrics.asked).toEqual([
      { fleetIds: ['hello-staging-2', 'hello-staging-1'], from: SHIFT, to: '2026-11-03T10:00:05.500Z' },
    ]);
  });

  it('a long deployment gets wider periods (whole multiples of the target’s resolution), never more points than allowed', async () => {
    const store = new FakeReleaseStore();
    await store.createDeployment(record({ finishedAt: '2026-11-03T11:00:00.000Z', blue: undefined }));
    const metrics = new FakeTrafficMetrics();
    const read = await readDeploymentMetrics(
      { store, metrics, clock: at(99_999) },
      { deploymentId: 'hello-staging-2' },
      { minPeriodSeconds: 60, maxPoints: 15 },
    );
    expect(read.periodSeconds).toBe(240);
    expect(read.points.length).toBeLessThanOrEqual(16);
    expect(read.points.every((p) => p.blue === null)).toBe(true);
  });

  it('refuses an unknown deployment by name', async () => {
    await expect(
      readDeploymentMetrics(
        { store: new FakeReleaseStore(), metrics: new FakeTrafficMetrics(), clock: at(0) },
        { deploymentId: 'nope' },
        { minPeriodSeconds: 1, maxPoints: 10 },
      ),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });
});

describe("the charts' data (operator/console/chart-data.ts)", () => {
  it('rates per second, error rate in percent (none without requests), p99, and every verdict at its time', () => {
    const data = chartDataOf(
      {
        deploymentId: 'hello-staging-2',
        periodSeconds: 2,
        points: [
          { at: SHIFT, green: window(10, 1, 15), blue: window(90, 0, 10) },
          { at: '2026-11-03T10:00:02.000Z', green: window(0, 0, null), blue: null },
        ],
      },
      record({
        analysis: [
          {
            step: 'CheckGreenAtWeight 10%',
            at: '2026-11-03T10:00:03.000Z',
            passed: false,
            judged: true,
            reason: 'error rate',
            green: window(10, 1, 15),
            blue: null,
            alarmsFiring: [],
          },
        ],
      }),
    );
    expect(data.t).toEqual([Date.parse(SHIFT) / 1000, Date.parse(SHIFT) / 1000 + 2]);
    expect(data.green).toEqual({ requests: [5, 0], errorRate: [10, null], p99: [15, null] });
    expect(data.blue).toEqual({ requests: [45, 0], errorRate: [0, null], p99: [10, null] });
    expect(data.verdicts).toEqual([
      {
        t: Date.parse(SHIFT) / 1000 + 3,
        passed: false,
        judged: true,
        label: 'CheckGreenAtWeight 10%: error rate',
      },
    ]);
    expect(data.labels).toEqual({ green: '2.0.0 (green)', blue: '1.0.0 (blue)' });
  });
});
