import { type CountBucket, IncreaseEValue, increaseGrid } from './increase-test.js';
import type { MetricBucket, WindowMetrics } from './window-metrics.js';

/** What the environment asks of a verdict (its `analysis` configuration). */
export interface SequentialSettings {
  /** The false-rollback bound per deployment, split equally between the error and the latency test. */
  alpha: number;
  /** Error-rate increase (a fraction: 0.005 is +0.5 points) below which a regression is not worth a rollback. */
  minErrorIncrease: number;
  /** p99 increase (ms) below which a slowdown is not worth a rollback. */
  minLatencyIncreaseMs: number;
}

/** A fleet's totals over the buckets compared: requests, errors, slow requests per threshold, p50 and p99. */
export type Totals = WindowMetrics & { slow: number[]; p50Ms: number | null };

/** Green against its comparator in buckets: blue over the same buckets, or blue's own before the shift. */
export interface Comparison {
  errors: CountBucket[];
  /** Per latency threshold, its buckets of slow requests. */
  slow: CountBucket[][];
  green: Totals;
  blue: Totals;
}

/**
 * Evidence one bucket may give when green is compared with blue's buckets before the shift (ln 1.5): a burst of
 * a shared dependency's errors now is not in blue's figures then, and must last several buckets to count.
 */
export const ACROSS_TIME_LOG_CAP = Math.log(1.5);

export interface TestResult {
  /** The mixture e-value (its log is capped for display only). */
  eValue: number;
  threshold: number;
  /** Green's minus blue's: error-rate points (fraction), or ms at p50 or p99 (the larger). */
  effect: number | null;
  floor: number;
  /** The e-value reached its threshold and the effect its floor. */
  fails: boolean;
}

export interface Judgement {
  fails: boolean;
  errors: TestResult;
  latency: TestResult;
  /** Green's requests so far, and about how many the error test needs to see the minimum effect. */
  requests: { seen: number; needed: number | null };
  /** Statistic, counts, threshold and effect, in one line. */
  explanation: string;
}

const empty = (thresholds: number) => ({
  requests: 0,
  errors: 0,
  slow: new Array<number>(thresholds).fill(0),
  weightedP50: 0,
  weightedP99: 0,
});

function accumulate(total: ReturnType<typeof empty>, bucket: MetricBucket) {
  total.requests += bucket.requests;
  total.errors += bucket.errors;
  total.slow = total.slow.map((n, k) => n + (bucket.slow[k] ?? 0));
  total.weightedP50 += (bucket.p50Ms ?? 0) * bucket.requests;
  total.weightedP99 += (bucket.p99Ms ?? 0) * bucket.requests;
}

// Request-weighted means of the buckets' quantiles: the load balancer gives them per bucket, not the samples.
const finish = (total: ReturnType<typeof empty>): Totals => ({
  requests: total.requests,
  errors: total.errors,
  slow: total.slow,
  p50Ms: total.requests && total.weightedP50 ? Math.round(total.weightedP50 / total.requests) : null,
  p99Ms: total.requests && total.weightedP99 ? Math.round(total.weightedP99 / total.requests) : null,
});

/**
 * Pairs green's buckets with blue's: the same bucket where blue took traffic in it, otherwise (all traffic on
 * green) the next unused bucket of blue's baseline before the first shift, each used once. `extraGreenErrors`
 * (per bucket) are counted as green's: load-balancer errors no target group accounts for, for the worst case.
 * Errors are compared from green's first request (an error in a cold start is one a user got); slow requests
 * and quantiles only from buckets that begin at `warmFrom` or later (a cold start is slower, not a regression).
 */
export function compare(
  green: MetricBucket[],
  blue: MetricBucket[],
  baseline: MetricBucket[],
  extraGreenErrors: number[] = [],
  warmFrom = Number.NEGATIVE_INFINITY,
): Comparison {
  const thresholds = green[0]?.slow.length ?? 0;
  const [g, b] = [empty(thresholds), empty(thresholds)];
  const [gWarm, bWarm] = [empty(thresholds), empty(thresholds)];
  const errors: CountBucket[] = [];
  const slow: CountBucket[][] = Array.from({ length: thresholds }, () => []);
  let nextBaseline = 0;
  green.forEach((greenBucket, i) => {
    if (greenBucket.requests === 0) return;
    const concurrent = blue[i];
    const acrossTime = !(concurrent && concurrent.requests > 0);
    const other = acrossTime ? baseline[nextBaseline++] : concurrent;
    if (!other) return;
    const mine = { ...greenBucket, errors: greenBucket.errors + (extraGreenErrors[i] ?? 0) };
    accumulate(g, mine);
    accumulate(b, other);
    const requests = mine.requests + other.requests;
    const share = mine.requests / requests;
    const cap = acrossTime ? { logCap: ACROSS_TIME_LOG_CAP } : {};
    errors.push({ green: mine.errors, blue: other.errors, share, requests, ...cap });
    if (greenBucket.at < warmFrom) return;
    accumulate(gWarm, mine);
    accumulate(bWarm, other);
    slow.forEach((list, k) => {
      list.push({ green: mine.slow[k] ?? 0, blue: other.slow[k] ?? 0, share, requests, ...cap });
    });
  });
  return {
    errors,
    slow,
    green: withLatency(finish(g), finish(gWarm)),
    blue: withLatency(finish(b), finish(bWarm)),
  };
}

/** Requests and errors from all the buckets compared; slow requests and quantiles from the warm ones. */
const withLatency = (all: Totals, warm: Totals): Totals => ({
  ...all,
  slow: warm.slow,
  p50Ms: warm.p50Ms,
  p99Ms: warm.p99Ms,
});

const rate = (m: WindowMetrics) => (m.requests ? m.errors / m.requests : 0);

/**
 * About how many green requests the error test needs before a regression of exactly the minimum effect would
 * cross its threshold: green's and blue's requests scaled (at their pooled share and blue's error rate) until
 * the e-value of the counts that regression would give on average reaches it. Null without a comparison.
 */
export function requestsNeeded(green: Totals, blue: Totals, minIncrease: number, logThreshold: number) {
  if (green.requests === 0 || blue.requests === 0) return null;
  const share = green.requests / (green.requests + blue.requests);
  const blueRate = rate(blue);
  const grid = increaseGrid(minIncrease);
  const expectedAt = (scale: number) =>
    new IncreaseEValue(grid)
      .add({
        green: green.requests * scale * (blueRate + minIncrease),
        blue: blue.requests * scale * blueRate,
        share,
        requests: (green.requests + blue.requests) * scale,
      })
      .logE();
  let [low, high] = [0, 1];
  for (let i = 0; i < 40 && expectedAt(high) < logThreshold; i++) [low, high] = [high, high * 2];
  if (expectedAt(high) < logThreshold) return null;
  for (let i = 0; i < 30; i++) {
    const mid = (low + high) / 2;
    if (expectedAt(mid) >= logThreshold) high = mid;
    else low = mid;
  }
  return Math.ceil(green.requests * high);
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;
const points = (fraction: number) => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)} points`;
const short = (e: number) => (e >= 1000 || e < 0.01 ? e.toExponential(1) : e.toPrecision(3));

const signed = (ms: number | null) => (ms === null ? '–' : `${ms >= 0 ? '+' : ''}${ms} ms`);
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

function explain(
  cmp: Pick<Comparison, 'green' | 'blue'>,
  errors: TestResult,
  latency: TestResult,
  thresholdsMs: number[],
) {
  const { green, blue } = cmp;
  const errorLine = `errors: green ${green.errors}/${green.requests} (${percent(rate(green))}), blue ${blue.errors}/${blue.requests} (${percent(rate(blue))}), ${points(errors.effect ?? 0)} (floor ${points(errors.floor)}); e-value ${short(errors.eValue)} ${errors.eValue >= errors.threshold ? '≥' : '<'} ${short(errors.threshold)}`;
  if (thresholdsMs.length === 0)
    return `${errorLine}; latency: not compared (blue has no response times before the shift)`;
  if (green.requests > 0 && green.p50Ms === null && green.p99Ms === null)
    return `${errorLine}; latency: not compared yet (green's warm-up)`;
  const slower = thresholdsMs
    .map((t, k) => `slower than ${t} ms: green ${green.slow[k] ?? 0}, blue ${blue.slow[k] ?? 0}`)
    .join('; ');
  const latencyLine = `latency: ${slower}; p50 green ${green.p50Ms ?? '–'} ms, blue ${blue.p50Ms ?? '–'} ms (${signed(diff(green.p50Ms, blue.p50Ms))}), p99 green ${green.p99Ms ?? '–'} ms, blue ${blue.p99Ms ?? '–'} ms (${signed(diff(green.p99Ms, blue.p99Ms))}), floor +${latency.floor} ms; e-value ${short(latency.eValue)} ${latency.eValue >= latency.threshold ? '≥' : '<'} ${short(latency.threshold)}`;
  return `${errorLine}; ${latencyLine}`;
}

/** What a look has found, however it was gathered (the handlers from buckets, the bench incrementally). */
export interface Findings {
  /** ln of the error test's mixture e-value, and of each slow-request test's (one per threshold). */
  errorsLogE: number;
  slowLogE: number[];
  green: Totals;
  blue: Totals;
  /** The error-rate increase the buckets make likeliest (IncreaseEValue.estimate); null without buckets. */
  errorEffect: number | null;
}

/**
 * The verdict's numbers at one look. Each test's threshold is 2/α (α split between the errors and latency, so
 * a good version is rolled back with probability at most α per deployment, whatever the number of looks). The
 * latency e-value is the mean of the slow-request tests' (a mean of e-values is one): a request is slow above
 * blue's p50 and above its p99 before the shift, each plus the floor, so a slower bulk and a slower tail both
 * show. A test fails green when its e-value reaches the threshold and the measured effect reaches the floor
 * (a sure but smaller regression is not worth a rollback). `withPower` also estimates the requests needed.
 */
export function judge(
  found: Findings,
  settings: SequentialSettings,
  thresholdsMs: number[],
  withPower = true,
): Judgement {
  const threshold = 2 / settings.alpha;
  const { green, blue } = found;
  const errorsE = Math.exp(Math.min(700, found.errorsLogE));
  // The likeliest increase, never more than green's own error rate (a blue without errors has no upper end).
  const errorEffect = found.errorEffect === null ? null : Math.min(found.errorEffect, rate(green));
  const errors: TestResult = {
    eValue: errorsE,
    threshold,
    effect: errorEffect,
    floor: settings.minErrorIncrease,
    fails: errorsE >= threshold && errorEffect !== null && errorEffect >= settings.minErrorIncrease - 1e-12,
  };
  const slow = found.slowLogE.map((l) => Math.exp(Math.min(700, l)));
  const latencyE = slow.length ? slow.reduce((a, b) => a + b, 0) / slow.length : 1;
  const effects = [diff(green.p50Ms, blue.p50Ms), diff(green.p99Ms, blue.p99Ms)].filter(
    (d): d is number => d !== null,
  );
  const latencyEffect = effects.length ? Math.max(...effects) : null;
  const latency: TestResult = {
    eValue: latencyE,
    threshold,
    effect: latencyEffect,
    floor: settings.minLatencyIncreaseMs,
    fails: latencyE >= threshold && latencyEffect !== null && latencyEffect >= settings.minLatencyIncreaseMs,
  };
  return {
    fails: errors.fails || latency.fails,
    errors,
    latency,
    requests: {
      seen: green.requests,
      needed: withPower ? requestsNeeded(green, blue, settings.minErrorIncrease, Math.log(threshold)) : null,
    },
    explanation: explain({ green, blue }, errors, latency, thresholdsMs),
  };
}

/** The verdict's numbers over bucket pairs (see judge). */
export function judgeComparison(
  cmp: Comparison,
  settings: SequentialSettings,
  thresholdsMs: number[],
  withPower = true,
): Judgement {
  const eValue = (buckets: CountBucket[], grid?: number[]) =>
    buckets.reduce((e, b) => e.add(b), new IncreaseEValue(grid));
  // The error test's prior starts at the minimum effect (ADR 40, amendment); the slow-request tests' floor is
  // already in their thresholds, so theirs is the default.
  const errors = eValue(cmp.errors, increaseGrid(settings.minErrorIncrease));
  const found = {
    errorsLogE: errors.logE(),
    slowLogE: cmp.slow.map((buckets) => eValue(buckets).logE()),
    green: cmp.green,
    blue: cmp.blue,
    errorEffect: cmp.green.requests && cmp.blue.requests ? errors.estimate() : null,
  };
  return judge(found, settings, thresholdsMs, withPower);
}
