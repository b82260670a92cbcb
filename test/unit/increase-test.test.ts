import randomBinomial from '@stdlib/random-base-binomial';
import { describe, expect, it } from 'vitest';
import {
  type CountBucket,
  INCREASES,
  IncreaseEValue,
  increaseGrid,
} from '../../core/analysis/increase-test.js';
import { MixtureEValue } from '../../core/analysis/share-test.js';
import { judgeWindow } from '../../scripts/bench/analysis/wilson-rule.js';

/*
 * The additive e-value the verdicts use (core/analysis/increase-test.ts), by simulation: good versions looked at
 * 50 times are rolled back at most α of the time, where the rule bakeshift used before ADR 40 (ADR 30's Wilson
 * bound, checked on the growing window at every look) is not; and a +1-point regression amid shared bursts of
 * errors is seen, where the relative-risk alternative is diluted by the bursts.
 */
const ALPHA = 0.01;
const WILSON = {
  minRequests: 100,
  maxErrorRate: 0.01,
  errorRateMargin: 0.01,
  latencyFactor: 2,
  minLatencyDeltaMs: 20,
};

interface Look {
  bucket: CountBucket;
  green: { requests: number; errors: number };
  blue: { requests: number; errors: number };
}

/** A deployment's looks: 10-s buckets of `requests`, green at `share`, blue at `blueRate`, bursts on both. */
function* looks(
  seed: number,
  share: number,
  blueRate: number,
  increase: number,
  count = 50,
): Generator<Look> {
  const binomial = randomBinomial.factory({ seed });
  for (let i = 0; i < count; i++) {
    const requests = 300;
    const burst = i % 10 === 4 ? 0.3 : 0;
    const greenRequests = binomial(requests, share);
    const green = { requests: greenRequests, errors: binomial(greenRequests, blueRate + burst + increase) };
    const blueRequests = requests - greenRequests;
    const blue = { requests: blueRequests, errors: binomial(blueRequests, blueRate + burst) };
    const bucket = { green: green.errors, blue: blue.errors, share: greenRequests / requests, requests };
    yield { bucket, green, blue };
  }
}

/** Of `deployments` good versions (blue's rate 0.2–0.8 %, shares 5–50 %), how many a rule rolls back. */
function falseRollbacks(rule: () => (look: Look) => boolean, deployments = 1000) {
  let rolledBack = 0;
  for (let d = 0; d < deployments; d++) {
    const reject = rule();
    const share = [0.05, 0.1, 0.25, 0.5][d % 4] ?? 0.1;
    for (const look of looks(7000 + d, share, 0.002 * (1 + (d % 4)), 0))
      if (reject(look)) {
        rolledBack++;
        break;
      }
  }
  return rolledBack / deployments;
}

describe('the increase test (core/analysis/increase-test.ts)', () => {
  it("type-I error: 1,000 good versions, 50 looks each amid bursts, at most α rolled back; ADR 30's rule is not", () => {
    const sequential = falseRollbacks(() => {
      const e = new IncreaseEValue();
      return (look) => e.add(look.bucket).logE() >= Math.log(1 / ALPHA);
    });
    expect(sequential).toBeLessThanOrEqual(ALPHA);
    // The error test's own prior, from the minimum effect (ADR 40, amendment): any prior keeps Ville's bound.
    const fromFloor = falseRollbacks(() => {
      const e = new IncreaseEValue(increaseGrid(0.005));
      return (look) => e.add(look.bucket).logE() >= Math.log(1 / ALPHA);
    });
    expect(fromFloor).toBeLessThanOrEqual(ALPHA);
    // ADR 30's rule on the same looks: the growing window judged afresh at every look.
    const wilson = falseRollbacks(() => {
      const [green, blue] = [
        { requests: 0, errors: 0, p99Ms: null },
        { requests: 0, errors: 0, p99Ms: null },
      ];
      return (look) => {
        green.requests += look.green.requests;
        green.errors += look.green.errors;
        blue.requests += look.blue.requests;
        blue.errors += look.blue.errors;
        return !judgeWindow(green, blue, WILSON).passed;
      };
    });
    expect(wilson).toBeGreaterThan(3 * ALPHA);
  });

  it('sees +1 point of errors at 10 % amid shared bursts, where the relative-risk alternative is diluted', () => {
    let [additive, relative] = [0, 0];
    for (let d = 0; d < 50; d++) {
      const [a, r] = [new IncreaseEValue(), new MixtureEValue()];
      for (const { bucket } of looks(9000 + d, 0.1, 0.001, 0.01, 30)) {
        a.add(bucket);
        r.add(bucket);
      }
      if (a.logE() >= Math.log(2 / ALPHA)) additive++;
      if (r.logE() >= Math.log(2 / ALPHA)) relative++;
    }
    // 900 green requests each: most are seen by the additive test, almost none by the relative one.
    expect(additive).toBeGreaterThanOrEqual(25);
    expect(relative).toBeLessThanOrEqual(5);
  });

  it('estimates the increase, and a burst on both fleets alone moves neither the estimate nor the evidence much', () => {
    const e = new IncreaseEValue();
    for (const { bucket } of looks(11, 0.5, 0.002, 0.05, 20)) e.add(bucket);
    expect(e.estimate()).toBeGreaterThan(0.03);
    expect(e.estimate()).toBeLessThan(0.08);
    const burst = new IncreaseEValue().add({ green: 45, blue: 46, share: 0.5, requests: 300 });
    expect(burst.logE()).toBeLessThan(Math.log(2));
    expect(INCREASES[0]).toBeCloseTo(0.0005, 10);
    expect(INCREASES.at(-1)).toBeCloseTo(1, 10);
  });

  it("the error test's prior starts at the minimum effect: more evidence for a regression at the floor, none spent below", () => {
    const grid = increaseGrid(0.005);
    expect(grid[0]).toBeCloseTo(0.005, 10);
    expect(grid.at(-1)).toBeCloseTo(1, 10);
    expect(grid.length).toBe(43);
    // Three green errors in 300 green requests, none of blue's 2,700: +1 point at 10 %.
    const [floor, wide] = [new IncreaseEValue(grid), new IncreaseEValue()];
    for (let i = 0; i < 3; i++) {
      floor.add({ green: 1, blue: 0, share: 0.1, requests: 1000 });
      wide.add({ green: 1, blue: 0, share: 0.1, requests: 1000 });
    }
    expect(floor.logE()).toBeGreaterThan(wide.logE() + Math.log(1.3));
    expect(floor.logE()).toBeGreaterThan(Math.log(2 / ALPHA));
  });
});
