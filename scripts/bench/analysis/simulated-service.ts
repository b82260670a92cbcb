import randomBinomial from '@stdlib/random-base-binomial';
import mt19937 from '@stdlib/random-base-mt19937';
import type { MetricBucket } from '../../../core/analysis/window-metrics.js';

/*
 * The bench's simulated traffic (ADR 40): a service, its blue, and a green that is good or bad in a given way,
 * bucket by bucket (10 s), from one seed, so every rule is run on the same traffic.
 */

/** Latency bins, as the local load balancer keeps them: upper bounds from 1 ms, ×1.25 each. */
const BOUNDS = Array.from({ length: 50 }, (_, i) => Math.ceil(1.25 ** i));
export const BUCKET_SECONDS = 10;

export type Scenario = 'good' | 'errorsPlus0.5' | 'errorsPlus1' | 'errorsPlus5' | 'p99Plus50ms' | 'outage';

export interface Service {
  requestsPerSecond: number;
  blueErrorRate: number;
  medianMs: number;
  /** Shared bursts of errors (a dependency failing for everyone): start bucket, length, extra error rate. */
  bursts: { from: number; to: number; rate: number }[];
}

/** Φ, for the lognormal's bin probabilities (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) * Math.SQRT1_2);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const SIGMA = 0.6;

/** Each bin's probability for a lognormal latency of this median, shifted by `plusMs`. */
function binProbabilities(medianMs: number, plusMs: number): number[] {
  const cdf = (ms: number) => (ms <= plusMs ? 0 : normalCdf(Math.log((ms - plusMs) / medianMs) / SIGMA));
  return BOUNDS.map(
    (bound, i) => (i === BOUNDS.length - 1 ? 1 : cdf(bound)) - (i === 0 ? 0 : cdf(BOUNDS[i - 1] ?? 0)),
  );
}

/** The bin bound under which `q` of the requests fell. */
function quantile(bins: number[], total: number, q: number): number {
  let seen = 0;
  for (const [i, n] of bins.entries()) {
    seen += n;
    if (seen >= q * total) return BOUNDS[i] ?? Number.NaN;
  }
  return BOUNDS.at(-1) ?? Number.NaN;
}

/** One deployment's random source: the service, then every bucket, from the same seed. */
export class SimulatedDeployment {
  private readonly uniform: () => number;
  private readonly binomial: (n: number, p: number) => number;
  readonly service: Service;

  constructor(
    seed: number,
    readonly scenario: Scenario,
  ) {
    const { normalized } = mt19937.factory({ seed }) as unknown as { normalized: () => number };
    this.uniform = normalized;
    this.binomial = randomBinomial.factory({ prng: normalized });
    this.service = this.drawService();
  }

  private logUniform(low: number, high: number) {
    return Math.exp(Math.log(low) + this.uniform() * (Math.log(high) - Math.log(low)));
  }

  /**
   * 1–1,000 requests/s (log-uniform); blue's error rate 0 for a quarter of services, else 0.01 %–3 %
   * (log-uniform: error rates spread over orders of magnitude); median latency 10–100 ms; about one burst of
   * shared errors (5–50 %, 10–60 s) per ten minutes.
   */
  private drawService(): Service {
    const bursts: Service['bursts'] = [];
    for (let b = 0; b < 400; b++)
      if (this.uniform() < BUCKET_SECONDS / 600) {
        const length = Math.ceil((10 + this.uniform() * 50) / BUCKET_SECONDS);
        bursts.push({ from: b, to: b + length, rate: 0.05 + this.uniform() * 0.45 });
      }
    return {
      requestsPerSecond: this.logUniform(1, 1000),
      blueErrorRate: this.uniform() < 0.25 ? 0 : this.logUniform(0.0001, 0.03),
      medianMs: 10 + this.uniform() * 90,
      bursts,
    };
  }

  private burstAt(bucket: number) {
    return this.service.bursts.find((b) => bucket >= b.from && bucket < b.to)?.rate ?? 0;
  }

  /** What green does differently from blue in this scenario. */
  private greenEffect() {
    const s = this.scenario;
    const errors = { 'errorsPlus0.5': 0.005, errorsPlus1: 0.01, errorsPlus5: 0.05 } as Record<string, number>;
    return { errors: errors[s] ?? 0, plusMs: s === 'p99Plus50ms' ? 50 : 0, outage: s === 'outage' };
  }

  /**
   * Bucket `index` (since the baseline began) with green taking `weight` of the traffic, `greenAge` seconds
   * after its first request (a cold start: slower at first, up to ×3, back to within 1 % after 25 s).
   */
  bucket(index: number, weight: number, greenAge: number): { green: MetricBucket; blue: MetricBucket } {
    const total = Math.round(this.service.requestsPerSecond * BUCKET_SECONDS * (0.7 + 0.6 * this.uniform()));
    const greenRequests = weight >= 1 ? total : weight <= 0 ? 0 : this.binomial(total, weight);
    const shared = this.burstAt(index);
    const effect = this.greenEffect();
    const blueRate = Math.min(1, this.service.blueErrorRate + shared);
    const greenRate = effect.outage ? 1 : Math.min(1, blueRate + effect.errors);
    const cold = 1 + 2 * Math.exp(-greenAge / 5);
    const at = index * BUCKET_SECONDS * 1000;
    return {
      green: this.fleetBucket(at, greenRequests, greenRate, this.service.medianMs * cold, effect.plusMs),
      blue: this.fleetBucket(at, total - greenRequests, blueRate, this.service.medianMs, 0),
    };
  }

  private fleetBucket(at: number, requests: number, errorRate: number, medianMs: number, plusMs: number) {
    const bins = new Array<number>(BOUNDS.length).fill(0);
    let left = requests;
    let mass = 1;
    binProbabilities(medianMs, plusMs).forEach((p, i) => {
      if (left <= 0 || p <= 0) return;
      const n = i === BOUNDS.length - 1 || p >= mass ? left : this.binomial(left, Math.min(1, p / mass));
      bins[i] = n;
      left -= n;
      mass -= p;
    });
    return {
      at,
      requests,
      errors: requests ? this.binomial(requests, errorRate) : 0,
      bins,
      slow: [] as number[],
      p50Ms: requests ? quantile(bins, requests, 0.5) : null,
      p99Ms: requests ? quantile(bins, requests, 0.99) : null,
    };
  }
}

/** Requests in bins wholly above the threshold, as the local load balancer counts them. */
export function slowerThan(bucket: { bins: number[] }, thresholdMs: number): number {
  return bucket.bins.reduce((n, count, i) => n + ((BOUNDS[i - 1] ?? 0) >= thresholdMs ? count : 0), 0);
}
