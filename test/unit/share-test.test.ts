import gammaln from '@stdlib/math-base-special-gammaln';
import randomBinomial from '@stdlib/random-base-binomial';
import { describe, expect, it } from 'vitest';
import {
  HALF_NORMAL_PRIOR,
  logLikelihoodRatio,
  MixtureEValue,
  mixtureLogEValue,
  type PriorPoint,
  type ShareBucket,
} from '../../core/analysis/share-test.js';

/*
 * The e-value under every verdict (core/analysis/share-test.ts), against published numbers and by simulation.
 *
 * Published numbers: the savvi package's README (assuncaolfi/savvi, an implementation of Lindon & Malek,
 * "Anytime-valid inference for multinomial count data", NeurIPS 2022), examples "Multinomial test" and
 * "Inhomogeneous Poisson counting process": with numpy's seed 1, its sequential p-value first falls to 0.05 at
 * n = 402 (p = 0.04845591105969517) and at n = 168 (p = 0.04675270375081281). The category of each draw, in
 * order, was produced by the README's own numpy code (numpy.random.seed(1), multinomial draws as printed there);
 * they are the data, the p-values the published result.
 */
const SAVVI_MULTINOMIAL_DRAWS =
  '122221112211121201121221222222212211221111220212202211201202102222121222122212121202222220212222121210021012210122122111122221122211112211222220221021111222011222102221222221221211222122212011222211212122222212202221222222112220122101220010222112121122222220210122211222220200222011122221121221211202122222222112222121211212212212101122022222202122211121020112122122222212221122012212220112012120222202';
const SAVVI_POISSON_DRAWS =
  '010000001111100010101000010001000101000001111101100000010000001000000000001001001000010101001010100000010000000100000000000001010010010000010101010011110011001010100011';

/** Lindon & Malek's Dirichlet-multinomial e-value (their eq. for the multinomial test), prior α₀ = k·θ₀. */
function dirichletMultinomialLogE(counts: number[], theta0: number[], k = 100): number {
  const logB = (a: number[]) => a.reduce((s, x) => s + gammaln(x), 0) - gammaln(a.reduce((s, x) => s + x, 0));
  const prior = theta0.map((t) => k * t);
  return (
    logB(prior.map((a, i) => a + (counts[i] ?? 0))) -
    logB(prior) -
    counts.reduce((s, c, i) => s + c * Math.log(theta0[i] ?? 1), 0)
  );
}

/** The first n (1-based) at which 1/E ≤ u, and that p-value. */
function firstStop(draws: string, pValueAt: (counts: number[]) => number, categories: number, u = 0.05) {
  const counts = new Array<number>(categories).fill(0);
  for (const [i, draw] of [...draws].entries()) {
    counts[Number(draw)] = (counts[Number(draw)] ?? 0) + 1;
    const p = pValueAt(counts);
    if (p <= u) return { n: i + 1, p };
  }
  return undefined;
}

/** The prior on δ that a Beta(k·s, k·(1−s)) prior on θ induces at share s: dθ/dδ = θ(1−θ). */
function betaInducedPrior(share: number, k: number, from = -20, to = 20, steps = 8000): PriorPoint[] {
  const [a, b] = [k * share, k * (1 - share)];
  const logBeta = gammaln(a) + gammaln(b) - gammaln(a + b);
  const step = (to - from) / steps;
  return Array.from({ length: steps + 1 }, (_, i) => {
    const logRisk = from + i * step;
    const odds = Math.log(share / (1 - share)) + logRisk;
    const theta = 1 / (1 + Math.exp(-odds));
    const density = Math.exp((a - 1) * Math.log(theta) + (b - 1) * Math.log(1 - theta) - logBeta);
    return { logRisk, weight: density * theta * (1 - theta) * step };
  });
}

describe('the share test (core/analysis/share-test.ts)', () => {
  it("reproduces Lindon & Malek's published stopping points (savvi's README examples)", () => {
    const multinomial = firstStop(
      SAVVI_MULTINOMIAL_DRAWS,
      (c) => Math.min(1, Math.exp(-dirichletMultinomialLogE(c, [0.1, 0.4, 0.5]))),
      3,
    );
    expect(multinomial?.n).toBe(402);
    expect(multinomial?.p).toBeCloseTo(0.04845591105969517, 12);
    const poisson = firstStop(
      SAVVI_POISSON_DRAWS,
      (c) => Math.min(1, Math.exp(-dirichletMultinomialLogE(c, [0.8, 0.2]))),
      2,
    );
    expect(poisson?.n).toBe(168);
    expect(poisson?.p).toBeCloseTo(0.04675270375081281, 12);
  });

  it('its mixture over δ is the same e-value: the Poisson example with the prior the paper uses stops at 168 too', () => {
    // Category 1 is "green" (share 0.2), category 0 "blue": one bucket holds the counts so far.
    const prior = betaInducedPrior(0.2, 100);
    const stop = firstStop(
      SAVVI_POISSON_DRAWS,
      ([blue = 0, green = 0]) =>
        Math.min(1, Math.exp(-mixtureLogEValue([{ green, blue, share: 0.2 }], prior))),
      2,
    );
    expect(stop?.n).toBe(168);
    expect(stop?.p).toBeCloseTo(0.04675270375081281, 5);
    // And at every n along the way, not only at the stop.
    for (const n of [10, 50, 100, 150]) {
      const green = [...SAVVI_POISSON_DRAWS.slice(0, n)].filter((d) => d === '1').length;
      const closed = dirichletMultinomialLogE([n - green, green], [0.8, 0.2]);
      expect(mixtureLogEValue([{ green, blue: n - green, share: 0.2 }], prior)).toBeCloseTo(closed, 4);
    }
  });

  it('splitting events into buckets at the same share changes nothing; a bucket one fleet served alone says nothing', () => {
    const whole = [{ green: 7, blue: 20, share: 0.1 }];
    const split = [
      { green: 3, blue: 12, share: 0.1 },
      { green: 4, blue: 8, share: 0.1 },
      { green: 5, blue: 0, share: 1 },
    ];
    expect(logLikelihoodRatio(split, 1.3)).toBeCloseTo(logLikelihoodRatio(whole, 1.3), 10);
    expect(mixtureLogEValue(split)).toBeCloseTo(mixtureLogEValue(whole), 10);
    // Every green event at 10 %: each multiplies the evidence by about 10.
    expect(mixtureLogEValue([{ green: 4, blue: 0, share: 0.1 }])).toBeGreaterThan(Math.log(200));
    expect(HALF_NORMAL_PRIOR.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1, 12);
  });

  /** Good versions looked at 50 times each: how many would a rule have rolled back? */
  function falseRejections(rule: () => (bucket: ShareBucket) => boolean, deployments = 2000, looks = 50) {
    const binomial = randomBinomial.factory({ seed: 20260 });
    let rejected = 0;
    for (let d = 0; d < deployments; d++) {
      const share = [0.05, 0.1, 0.25, 0.5][d % 4] ?? 0.1;
      const reject = rule();
      // Errors per look on both fleets together, varying with time (bursts hit both fleets alike).
      for (let look = 0; look < looks; look++) {
        const errors = binomial(look % 7 === 3 ? 40 : 4, 0.5);
        const green = binomial(errors, share);
        if (reject({ green, blue: errors - green, share })) {
          rejected++;
          break;
        }
      }
    }
    return rejected / deployments;
  }

  it('type-I error: 2,000 good versions, 50 looks each, at most α rolled back (a fixed-sample test per look is not)', () => {
    const alpha = 0.01;
    const sequential = falseRejections(() => {
      const e = new MixtureEValue();
      return (bucket) => e.add(bucket).logE() >= Math.log(1 / alpha);
    });
    expect(sequential).toBeLessThanOrEqual(alpha);
    // The same harness on a one-sided binomial z-test at α each look: the harness can fail a rule.
    const naive = falseRejections(() => {
      let [green, total] = [0, 0];
      return (bucket) => {
        green += bucket.green;
        total += bucket.green + bucket.blue;
        const z = (green - total * bucket.share) / Math.sqrt(total * bucket.share * (1 - bucket.share) || 1);
        return z > 2.326;
      };
    });
    expect(naive).toBeGreaterThan(3 * alpha);
  });
});
