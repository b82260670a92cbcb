import { describe, expect, it } from 'vitest';
import { type AnalysisLimits, judgeWindow, wilsonBounds } from '../../scripts/bench/analysis/wilson-rule.js';

const LIMITS: AnalysisLimits = {
  minRequests: 100,
  maxErrorRate: 0.01,
  errorRateMargin: 0.01,
  latencyFactor: 2,
  minLatencyDeltaMs: 20,
};
const window = (requests: number, errors: number, p99Ms: number | null = 5) => ({ requests, errors, p99Ms });

describe('the Wilson rule bakeshift used before ADR 40 (the bench peer)', () => {
  it('Wilson bounds: inside [0, 1], the true rate inside, narrower with more requests', () => {
    expect(wilsonBounds(0, 0)).toEqual({ lower: 0, upper: 1 });
    const few = wilsonBounds(5, 100);
    const many = wilsonBounds(500, 10_000);
    for (const b of [few, many]) {
      expect(b.lower).toBeLessThan(0.05);
      expect(b.upper).toBeGreaterThan(0.05);
    }
    expect(many.upper - many.lower).toBeLessThan(few.upper - few.lower);
    expect(wilsonBounds(0, 1000).lower).toBeCloseTo(0, 12);
  });

  it('fails a version answering 5 % errors once it has enough requests, and says why with the numbers', () => {
    const verdict = judgeWindow(window(400, 20), window(4000, 0), LIMITS);
    expect(verdict).toMatchObject({ passed: false, judged: true });
    expect(verdict.reason).toMatch(
      /^green's error rate is above 1\.00 % .*: green 20\/400 errors \(5\.00 %\)/,
    );
  });

  it('does not judge too few requests, and does not fail a good version on its few errors', () => {
    expect(judgeWindow(window(50, 10), window(500, 0), LIMITS)).toMatchObject({
      passed: true,
      judged: false,
    });
    // 0.5 % errors on both sides: noise, not a regression.
    expect(judgeWindow(window(1000, 5), window(9000, 45), LIMITS).passed).toBe(true);
    expect(judgeWindow(window(200, 1), window(2000, 3), LIMITS).passed).toBe(true);
  });

  it('compares with blue: 3 % errors where blue has none fails, under the absolute limit too', () => {
    const loose = { ...LIMITS, maxErrorRate: 0.2 };
    expect(judgeWindow(window(2000, 60), window(20_000, 0), loose).reason).toMatch(/above blue's/);
    expect(judgeWindow(window(2000, 60), window(20_000, 600), loose).passed).toBe(true);
  });

  it("fails a p99 three times blue's, not a small absolute change or one without a baseline", () => {
    expect(judgeWindow(window(500, 0, 90), window(5000, 0, 30), LIMITS).reason).toMatch(
      /p99 90 ms is over 2× blue's 30 ms/,
    );
    expect(judgeWindow(window(500, 0, 9), window(5000, 0, 3), LIMITS).passed).toBe(true);
    expect(judgeWindow(window(500, 0, 900), null, LIMITS).passed).toBe(true);
    expect(judgeWindow(window(500, 0, 900), null, { ...LIMITS, maxP99Ms: 500 }).passed).toBe(false);
  });
});
