import { describe, expect, it } from 'vitest';
import {
  classifyIncrease,
  kayentaFails,
  mannWhitney,
  wilcoxonDiff,
} from '../../scripts/bench/analysis/kayenta-judge.js';

/*
 * The bench's port of Kayenta's judge, against the numbers Kayenta's own tests publish (spinnaker/kayenta,
 * kayenta-mannwhitney MannWhitneySuite: its R tie-outs; kayenta-judge ClassifierSuite).
 */
const CONTROL = [
  1.5, 6.0, 5.0, 2.5, 2.5, 2.0, 2.0, 3.5, 3.0, 3.0, 3.0, 2.0, 3.0, 8.0, 4.0, 2.5, 3.0, 2.5, 2.5, 2.0, 2.5,
  2.0, 2.0, 2.5, 3.5, 3.0, 1.5, 5.0, 2.5, 5.5, 2.0, 2.5, 3.5, 2.0, 2.5, 4.0, 2.0, 2.0, 2.0, 2.0, 5.5, 4.5,
  4.0, 3.0, 3.0, 3.5, 2.5, 3.0, 2.5, 4.0, 6.0, 2.0, 5.0, 6.0, 3.5, 3.0, 54.5, 3.0, 5.0, 6.0, 3.5, 4.5, 2.5,
  2.0, 6.0, 5.0, 2.5, 3.5, 2.0, 3.0, 2.5, 3.5, 3.5, 2.5, 3.0, 4.5, 3.0, 15.5, 5.0, 2.5, 3.0, 4.0, 3.5, 4.0,
  4.0, 2.0, 4.5, 2.5, 4.0, 3.0,
];
const EXPERIMENT = [
  2.5, 2.5, 2.0, 2.5, 3.5, 2.0, 3.5, 1.5, 3.0, 3.0, 2.5, 3.5, 2.0, 2.5, 2.0, 2.0, 5.0, 3.0, 2.0, 1.5, 2.0,
  4.0, 3.0, 2.5, 3.0, 2.0, 2.0, 2.0, 2.5, 3.5, 1.5, 1.5, 3.5, 2.0, 2.5, 2.5, 3.0, 3.5, 2.5, 6.5, 2.5, 4.0,
  2.5, 3.0, 2.5, 6.5, 2.5, 3.0, 1.5, 2.0, 2.5, 3.0, 7.5, 1.5, 2.0, 4.0, 2.5, 2.0, 2.5, 3.5, 4.0, 2.5, 3.0,
  2.5, 2.0, 3.5, 3.0, 16.5, 3.0, 3.0, 7.0, 4.5, 5.0, 2.0, 3.5, 6.0, 1.5, 3.0, 2.5, 4.0, 3.0, 1.5, 5.0, 3.0,
  2.5, 5.5, 3.0, 1.5, 2.5, 6.0,
];

describe("the bench's port of Kayenta's NetflixACAJudge", () => {
  it("reproduces Kayenta's published Mann-Whitney intervals and estimates (its R tie-outs)", () => {
    const simple = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4]);
    expect(simple.lower).toBeCloseTo(6, 6);
    expect(simple.upper).toBeCloseTo(39, 6);
    expect(simple.estimate).toBeCloseTo(22.5, 6);
    const r = mannWhitney(EXPERIMENT, CONTROL);
    expect(r.lower).toBeCloseTo(-0.500002521696696, 6);
    expect(r.upper).toBeCloseTo(-3.486287505871302e-5, 6);
    expect(Math.abs(r.estimate - -0.4999393907180323)).toBeLessThan(1e-4);
    expect(wilcoxonDiff(0, 0, EXPERIMENT, CONTROL)).toBeLessThan(0);
  });

  it('classifies as its ClassifierSuite does: high, pass, and the effect-size rule', () => {
    const noise = () => 0;
    const strict = { tolerance: 0.1, confidenceLevel: 0.95, allowedIncrease: 1 };
    expect(classifyIncrease([1.0, 2.2, 1.1, 2.5, 3.0], [20.0, 22.0, 21.0, 25.0, 30.0], noise, strict)).toBe(
      'High',
    );
    // Higher, but not by the allowed effect (mean ratio 1.2 needed).
    expect(
      classifyIncrease([20, 22, 21, 25, 30], [22, 24, 23, 27, 33], noise, {
        ...strict,
        allowedIncrease: 1.2,
      }),
    ).toBe('Pass');
    expect(classifyIncrease([1, 2, 3], [1, 2, 3], noise)).toBe('Pass');
    expect(classifyIncrease([Number.NaN], [1], noise)).toBe('Nodata');
    expect(kayentaFails(['Pass', 'High'])).toBe(true);
    expect(kayentaFails(['Pass', 'Pass'])).toBe(false);
    expect(kayentaFails(['Pass', 'Nodata'])).toBe(true);
  });
});
