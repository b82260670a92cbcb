import { describe, expect, it } from 'vitest';
import { lookAtGreen } from '../../core/analysis/analyze-green.js';
import type { Plan } from '../../core/deployment/deployment-plan.js';
import { FakeClock } from '../support/fakes/fake-clock.js';
import { FakeTrafficMetrics } from '../support/fakes/fake-traffic-metrics.js';

/*
 * One look at green (core/analysis/analyze-green.ts) on 10-s buckets, as the local load balancer gives them:
 * the warm-up keeps a cold start's slowness out of the latency test, not green's errors out of the error test.
 */
const SHIFT = Date.parse('2026-12-03T12:00:00Z');
const ANALYSIS = {
  enabled: true,
  alpha: 0.01,
  minErrorIncrease: 0.005,
  minLatencyIncreaseMs: 20,
  warmUpSeconds: 30,
  extendInconclusiveSeconds: 300,
  onInconclusive: 'rollback' as const,
  alarms: [],
};
const plan = { settings: { analysis: ANALYSIS }, blue: { fleetId: 'blue' } } as unknown as Plan;

/** Blue answers 90 requests per bucket (none failing, p99 50 ms); green 10 per bucket after the shift. */
function world(green: (at: number) => { errors: number; slow: number }) {
  const metrics = new FakeTrafficMetrics();
  metrics.bucketSeconds = 10;
  metrics.perMinute = (fleet, at) => {
    if (fleet === 'blue') return { requests: 90, errors: 0, p99Ms: 50, slow: [0, 0] };
    if (at < SHIFT) return undefined;
    const { errors, slow } = green(at);
    return { requests: 10, errors, p99Ms: slow ? 150 : 50, slow: [slow, slow] };
  };
  return metrics;
}

const lookAt = (metrics: FakeTrafficMetrics, secondsAfterShift: number) =>
  lookAtGreen(
    { metrics, clock: new FakeClock(SHIFT + secondsAfterShift * 1000) },
    {
      plan,
      step: 'CheckGreenAtWeight 10%',
      greenFleetId: 'green',
      firstShiftAt: new Date(SHIFT),
      holdEndsAt: new Date(SHIFT + 300_000),
    },
  );

describe('a look at green during its warm-up', () => {
  it('a green failing every request from its first one fails within the warm-up (errors are not warmed up)', async () => {
    const result = await lookAt(
      world(() => ({ errors: 10, slow: 0 })),
      30,
    );
    expect(result?.state).toBe('decided');
    expect(result?.state === 'decided' && result.entry.outcome).toBe('fail');
    expect(result?.state === 'decided' && result.entry.reason).toMatch(
      /^green surely has more errors than blue/,
    );
  });

  it("a cold start's slow requests in the warm-up are not compared; the same slowness after it is", async () => {
    const coldStart = world((at) => ({ errors: 0, slow: at < SHIFT + 30_000 ? 10 : 0 }));
    const duringWarmUp = await lookAt(coldStart, 30);
    expect(duringWarmUp?.state).toBe('undecided');
    expect(duringWarmUp?.state === 'undecided' && duringWarmUp.note).toMatch(
      /^errors: green 0\/30 .*; latency: not compared yet \(green's warm-up\)$/,
    );
    const laterSlowness = world((at) => ({ errors: 0, slow: at >= SHIFT + 30_000 ? 10 : 0 }));
    const after = await lookAt(laterSlowness, 60);
    expect(after?.state === 'decided' && after.entry.reason).toMatch(/^green surely is slower than blue/);
  });
});
