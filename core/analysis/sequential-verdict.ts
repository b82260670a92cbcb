import { mixtureLogEValue, type ShareBucket } from './share-test.js';
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

/** Green against its comparator in buckets: blue over the same buckets, or blue's own before the shift. */
export interface Comparison {
  errors: ShareBucket[];
  slow: ShareBucket[];
  green: WindowMetrics & { slow: number };
  blue: WindowMetrics & { slow: number };
}

export interface TestResult {
  /** The mixture e-value (its log is capped for display only). */
  eValue: number;
  threshold: number;
  /** Green's minus blue's: error-rate points (fraction) or p99 ms. */
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

const empty = () => ({ requests: 0, errors: 0, slow: 0, p99Ms: null as number | null, weightedP99: 0 });

function accumulate(total: ReturnType<typeof empty>, bucket: MetricBucket) {
  total.requests += bucket.requests;
  total.errors += bucket.errors;
  total.slow += bucket.slow;
  if (bucket.p99Ms !== null) total.weightedP99 += bucket.p99Ms * bucket.requests;
}

const finish = (total: ReturnType<typeof empty>) => ({
  requests: total.requests,
  errors: total.errors,
  slow: total.slow,
  // Request-weighted mean of the buckets' p99s: the load balancer gives a p99 per bucket, not the samples.
  p99Ms: total.requests && total.weightedP99 ? Math.round(total.weightedP99 / total.requests) : null,
});

/**
 * Pairs green's buckets with blue's: the same bucket where blue took traffic in it, otherwise (all traffic on
 * green) the next unused bucket of blue's baseline before the first shift, each used once. `extraGreenErrors`
 * (per bucket) are counted as green's: load-balancer errors no target group accounts for, for the worst case.
 */
export function compare(
  green: MetricBucket[],
  blue: MetricBucket[],
  baseline: MetricBucket[],
  extraGreenErrors: number[] = [],
): Comparison {
  const [g, b] = [empty(), empty()];
  const errors: ShareBucket[] = [];
  const slow: ShareBucket[] = [];
  let nextBaseline = 0;
  green.forEach((greenBucket, i) => {
    const concurrent = blue[i];
    const other = concurrent && concurrent.requests > 0 ? concurrent : baseline[nextBaseline++];
    if (!other || greenBucket.requests === 0) return;
    const mine = { ...greenBucket, errors: greenBucket.errors + (extraGreenErrors[i] ?? 0) };
    accumulate(g, mine);
    accumulate(b, other);
    const share = mine.requests / (mine.requests + other.requests);
    errors.push({ green: mine.errors, blue: other.errors, share });
    slow.push({ green: mine.slow, blue: other.slow, share });
  });
  return { errors, slow, green: finish(g), blue: finish(b) };
}

const rate = (m: WindowMetrics) => (m.requests ? m.errors / m.requests : 0);

type Totals = WindowMetrics & { slow: number };

/**
 * About how many green requests the error test needs before a regression of exactly the minimum effect would
 * cross its threshold: green's and blue's requests scaled (at their pooled share and blue's error rate) until
 * the e-value of the counts that regression would give on average reaches it. Null without a comparison.
 */
export function requestsNeeded(green: Totals, blue: Totals, minIncrease: number, logThreshold: number) {
  if (green.requests === 0 || blue.requests === 0) return null;
  const share = green.requests / (green.requests + blue.requests);
  const blueRate = rate(blue);
  const expectedAt = (scale: number) =>
    mixtureLogEValue([
      {
        green: green.requests * scale * (blueRate + minIncrease),
        blue: blue.requests * scale * blueRate,
        share,
      },
    ]);
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

function explain(
  cmp: Pick<Comparison, 'green' | 'blue'>,
  errors: TestResult,
  latency: TestResult,
  thresholdMs: number | null,
) {
  const { green, blue } = cmp;
  const errorLine = `errors: green ${green.errors}/${green.requests} (${percent(rate(green))}), blue ${blue.errors}/${blue.requests} (${percent(rate(blue))}), ${points(errors.effect ?? 0)} (floor ${points(errors.floor)}); e-value ${short(errors.eValue)} ${errors.eValue >= errors.threshold ? '≥' : '<'} ${short(errors.threshold)}`;
  const latencyLine =
    thresholdMs === null
      ? 'latency: not compared (blue has no p99 before the shift)'
      : `latency: slower than ${thresholdMs} ms: green ${green.slow}/${green.requests}, blue ${blue.slow}/${blue.requests}; p99 green ${green.p99Ms ?? '–'} ms, blue ${blue.p99Ms ?? '–'} ms (${latency.effect === null ? 'no effect measured' : `${latency.effect >= 0 ? '+' : ''}${latency.effect} ms`}, floor +${latency.floor} ms); e-value ${short(latency.eValue)} ${latency.eValue >= latency.threshold ? '≥' : '<'} ${short(latency.threshold)}`;
  return `${errorLine}; ${latencyLine}`;
}

/** What a look has found, however it was gathered (the handlers from buckets, the bench incrementally). */
export interface Findings {
  /** ln of the error test's and the slow-request test's mixture e-values. */
  errorsLogE: number;
  slowLogE: number;
  green: Totals;
  blue: Totals;
}

/**
 * The verdict's numbers at one look. Each test's threshold is 2/α (α split between the two tests, so a good
 * version is rolled back with probability at most α per deployment, whatever the number of looks). A test
 * fails green when its e-value reaches the threshold and the measured effect reaches the floor (a sure but
 * smaller regression is not worth a rollback). `latencyThresholdMs` is blue's p99 before the shift plus the
 * floor: a request slower than it is a slow request. `withPower` also estimates the requests needed.
 */
export function judge(
  found: Findings,
  settings: SequentialSettings,
  latencyThresholdMs: number | null,
  withPower = true,
): Judgement {
  const threshold = 2 / settings.alpha;
  const { green, blue } = found;
  const errorsE = Math.exp(Math.min(700, found.errorsLogE));
  const errorEffect = green.requests && blue.requests ? rate(green) - rate(blue) : null;
  const errors: TestResult = {
    eValue: errorsE,
    threshold,
    effect: errorEffect,
    floor: settings.minErrorIncrease,
    fails: errorsE >= threshold && errorEffect !== null && errorEffect >= settings.minErrorIncrease - 1e-12,
  };
  const latencyE = latencyThresholdMs === null ? 1 : Math.exp(Math.min(700, found.slowLogE));
  const latencyEffect = green.p99Ms !== null && blue.p99Ms !== null ? green.p99Ms - blue.p99Ms : null;
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
    explanation: explain({ green, blue }, errors, latency, latencyThresholdMs),
  };
}

/** The verdict's numbers over bucket pairs (see judge). */
export function judgeComparison(
  cmp: Comparison,
  settings: SequentialSettings,
  latencyThresholdMs: number | null,
  withPower = true,
): Judgement {
  const found = {
    errorsLogE: mixtureLogEValue(cmp.errors),
    slowLogE: mixtureLogEValue(cmp.slow),
    green: cmp.green,
    blue: cmp.blue,
  };
  return judge(found, settings, latencyThresholdMs, withPower);
}
