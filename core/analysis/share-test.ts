/**
 * The anytime-valid test under every verdict (ADR 40): "is each event green's?" against green's share.
 *
 * Time is cut into buckets. In a bucket, green served a share s of the requests and blue the rest; if green is
 * no worse than blue, an event (an error, a slow request) is green's with probability at most s, whatever the
 * event rate does over time (Lindon & Malek, "Anytime-valid inference for multinomial count data", NeurIPS 2022;
 * Netflix's "Sequential A/B testing keeps the world streaming", part 2). Under the alternative, green's events
 * are more likely by a relative risk r = e^δ: P(green's) = s·r / (s·r + 1 − s).
 *
 * For each δ the product of the buckets' likelihood ratios is a nonnegative supermartingale under "green is no
 * worse" (δ ≤ 0); a mixture of them over a prior on δ > 0 is one too. By Ville's inequality it exceeds 1/α
 * with probability at most α, however often it is looked at: the looks cost nothing.
 */

/** One bucket: the events of each fleet in it, and green's share of its requests. */
export interface ShareBucket {
  green: number;
  blue: number;
  share: number;
  /**
   * At most this much (ln) evidence from this bucket: E[min(X, c)] ≤ E[X] ≤ 1, so a capped factor keeps the
   * product a supermartingale. Set where green is compared across time, so one burst cannot decide alone.
   */
  logCap?: number;
}

/** A point of the prior on δ (the log relative risk) and its weight; the weights sum to 1. */
export interface PriorPoint {
  logRisk: number;
  weight: number;
}

/**
 * The default prior: half-normal on δ with scale 2 (most mass on relative risks from 1 to e^4 ≈ 55, some on
 * larger ones, as an outage against a blue without errors is), on a grid of 241 points from 0 to 12.
 */
export const HALF_NORMAL_PRIOR: PriorPoint[] = halfNormalGrid(2, 12, 240);

export function halfNormalGrid(scale: number, max: number, steps: number): PriorPoint[] {
  const points = Array.from({ length: steps + 1 }, (_, i) => (i * max) / steps);
  const densities = points.map((d) => Math.exp(-(d * d) / (2 * scale * scale)));
  const total = densities.reduce((a, b) => a + b, 0);
  return points.map((logRisk, i) => ({ logRisk, weight: (densities[i] ?? 0) / total }));
}

/** ln(e^a + e^b + …) without overflow. */
export function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** The log likelihood ratio of the buckets at one relative risk e^δ against δ = 0. */
export function logLikelihoodRatio(buckets: ShareBucket[], logRisk: number): number {
  return buckets.reduce((total, bucket) => total + bucketLogRatio(bucket, logRisk), 0);
}

/** One bucket's log likelihood ratio at e^δ. */
function bucketLogRatio(bucket: ShareBucket, logRisk: number): number {
  const odds = Math.log(bucket.share) + logRisk - Math.log(1 - bucket.share);
  return binomialLogRatio(bucket, odds);
}

/**
 * A bucket's log likelihood ratio when each event is green's with odds `odds` (θ/(1 − θ)) against green's
 * share s, capped at the bucket's `logCap`. Valid for any θ ≥ s chosen from the bucket's totals and the past.
 */
export function binomialLogRatio({ green, blue, share, logCap }: ShareBucket, odds: number): number {
  // A bucket one fleet served alone says nothing about which fleet's events are more likely.
  if (share <= 0 || share >= 1 || green + blue === 0) return 0;
  // ln θ and ln(1 − θ) from the odds, stably.
  const logTheta = -softplus(-odds);
  const logNotTheta = -softplus(odds);
  const ratio = green * (logTheta - Math.log(share)) + blue * (logNotTheta - Math.log(1 - share));
  return logCap === undefined ? ratio : Math.min(ratio, logCap);
}

/** ln(1 + e^x), stably. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The mixture e-value kept up to date bucket by bucket (each look adds its new buckets). */
export class MixtureEValue {
  private readonly sums: number[];

  constructor(private readonly prior: PriorPoint[] = HALF_NORMAL_PRIOR) {
    this.sums = prior.map((p) => Math.log(p.weight));
  }

  add(bucket: ShareBucket): this {
    if (bucket.share <= 0 || bucket.share >= 1 || bucket.green + bucket.blue === 0) return this;
    this.prior.forEach((p, i) => {
      this.sums[i] = (this.sums[i] ?? 0) + bucketLogRatio(bucket, p.logRisk);
    });
    return this;
  }

  /** ln E (ln of 1/α is the threshold). */
  logE(): number {
    return logSumExp(this.sums);
  }
}

/** ln E: the log of the mixture e-value of the buckets (ln of 1/α is the threshold). */
export function mixtureLogEValue(buckets: ShareBucket[], prior: PriorPoint[] = HALF_NORMAL_PRIOR): number {
  const e = new MixtureEValue(prior);
  for (const bucket of buckets) e.add(bucket);
  return e.logE();
}
