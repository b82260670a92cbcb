import { binomialLogRatio, logSumExp, type ShareBucket } from './share-test.js';

/*
 * The share test (share-test.ts) with an additive alternative (ADR 40): green's event rate is blue's plus Δ
 * (a regression adds failures; it does not multiply a shared dependency's bursts). In a bucket of R requests,
 * green's share s and n events, blue's rate p under Δ is what the n events leave: p = (n − s·R·Δ) / R (at least
 * half an event per bucket), and each event is green's with probability θ = s(p + Δ) / (s(p + Δ) + (1 − s)p).
 * θ depends only on the bucket's totals (n, R, s), which the test conditions on, and θ ≥ s, so the bucket's
 * likelihood ratio has expectation at most 1 under "green is no worse" and the mixture over Δ stays an
 * e-process (Ville's inequality holds at every look). A burst (n large) gives θ ≈ s: it dilutes nothing.
 */

/** A bucket of the increase test: the share test's, and the requests of both fleets in it. */
export type CountBucket = ShareBucket & { requests: number };

/** The default prior on Δ: log-uniform from +0.05 points to +100 points (an outage), 61 points. */
export const INCREASES: number[] = increaseGrid(0.0005);

/**
 * A log-uniform prior on Δ from `from` to +100 points (an outage), at the default's density (about 8 points per
 * factor e). The error test starts it at the minimum effect (ADR 40, amendment): an increase below the floor
 * cannot fail green, so prior mass there only dilutes the evidence for the effects that can.
 */
export function increaseGrid(from: number): number[] {
  const low = Math.min(Math.max(from, 0.0005), 0.5);
  const count = Math.round((60 * Math.log(1 / low)) / Math.log(2000)) + 1;
  return Array.from({ length: count }, (_, i) => low * (1 / low) ** (i / (count - 1)));
}

/** ln of the odds of "this event is green's" under an increase Δ. */
export function increaseOdds({ green, blue, share, requests }: CountBucket, increase: number): number {
  const events = green + blue;
  const blueRate = Math.max((events - share * requests * increase) / requests, 0.5 / requests);
  return Math.log(share * (blueRate + increase)) - Math.log((1 - share) * blueRate);
}

/** The mixture e-value over Δ, kept up to date bucket by bucket; and Δ's maximum-likelihood value. */
export class IncreaseEValue {
  private readonly sums: number[];
  private readonly ratios: number[];

  constructor(private readonly increases: number[] = INCREASES) {
    this.sums = increases.map(() => Math.log(1 / increases.length));
    this.ratios = increases.map(() => 0);
  }

  add(bucket: CountBucket): this {
    if (bucket.share <= 0 || bucket.share >= 1 || bucket.green + bucket.blue === 0) return this;
    this.increases.forEach((increase, i) => {
      const ratio = binomialLogRatio(bucket, increaseOdds(bucket, increase));
      this.sums[i] = (this.sums[i] ?? 0) + ratio;
      this.ratios[i] = (this.ratios[i] ?? 0) + ratio;
    });
    return this;
  }

  /** ln E (ln of 1/α is the threshold). */
  logE(): number {
    return logSumExp(this.sums);
  }

  /** The increase the buckets make likeliest (0 when none is likelier than no increase). */
  estimate(): number {
    let [best, bestRatio] = [0, 0];
    this.increases.forEach((increase, i) => {
      if ((this.ratios[i] ?? 0) > bestRatio) [best, bestRatio] = [increase, this.ratios[i] ?? 0];
    });
    return best;
  }
}
