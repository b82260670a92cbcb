/** The rule bakeshift judged green by before ADR 40 (ADR 30), kept as the bench's peer: a fixed-sample test per look. */
import type { WindowMetrics } from '../../../core/analysis/window-metrics.js';

/** The limits a window is judged against (an environment's `analysis` configuration). */
export interface AnalysisLimits {
  /** Below this many requests to green, nothing is judged (too few to tell a bad version from noise). */
  minRequests: number;
  /** Green fails when its error rate is surely above this (its lower confidence bound is). */
  maxErrorRate: number;
  /** ...or surely above blue's by more than this (green's lower bound over blue's upper bound). */
  errorRateMargin: number;
  /** Green fails when its p99 is over this many times blue's... */
  latencyFactor: number;
  /** ...and over blue's by at least this much (a 3 ms p99 tripling is not a regression worth a rollback). */
  minLatencyDeltaMs: number;
  /** An absolute bound on green's p99, when set. */
  maxP99Ms?: number | undefined;
}

export interface Verdict {
  passed: boolean;
  judged: boolean;
  /** One line with the numbers that decided. */
  reason: string;
  green: WindowMetrics;
  blue: WindowMetrics | null;
  errorRateLowerBound: number | null;
}

/** z for a one-sided 99.5 % bound: a good version is taken for a bad one about once in 200 checks at worst. */
const Z = 2.576;

/**
 * The Wilson score interval of a proportion (errors / requests): unlike p ± z·√(p(1-p)/n), it stays inside
 * [0, 1] and is not over-confident for few requests or for rates near 0, which is where versions live.
 */
export function wilsonBounds(errors: number, requests: number): { lower: number; upper: number } {
  if (requests === 0) return { lower: 0, upper: 1 };
  const p = errors / requests;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * requests)) / (1 + z2 / requests);
  const half =
    (Z * Math.sqrt((p * (1 - p)) / requests + z2 / (4 * requests * requests))) / (1 + z2 / requests);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;
const describe = (name: string, m: WindowMetrics) =>
  `${name} ${m.errors}/${m.requests} errors (${percent(m.requests ? m.errors / m.requests : 0)}), p99 ${m.p99Ms ?? '–'} ms`;

function errorFailure(blue: WindowMetrics | null, limits: AnalysisLimits, lower: number) {
  if (lower > limits.maxErrorRate)
    return `green's error rate is above ${percent(limits.maxErrorRate)} (at least ${percent(lower)} at 99.5 % confidence)`;
  if (!blue || blue.requests < limits.minRequests) return undefined;
  const blueUpper = wilsonBounds(blue.errors, blue.requests).upper;
  if (lower > blueUpper + limits.errorRateMargin)
    return `green's error rate (at least ${percent(lower)}) is above blue's (at most ${percent(blueUpper)}) by more than ${percent(limits.errorRateMargin)}`;
  return undefined;
}

function latencyFailure(green: WindowMetrics, blue: WindowMetrics | null, limits: AnalysisLimits) {
  if (green.p99Ms === null) return undefined;
  if (limits.maxP99Ms !== undefined && green.p99Ms > limits.maxP99Ms)
    return `green's p99 ${green.p99Ms} ms is over ${limits.maxP99Ms} ms`;
  if (!blue || blue.requests < limits.minRequests || blue.p99Ms === null) return undefined;
  const slower =
    green.p99Ms > limits.latencyFactor * blue.p99Ms && green.p99Ms - blue.p99Ms >= limits.minLatencyDeltaMs;
  return slower
    ? `green's p99 ${green.p99Ms} ms is over ${limits.latencyFactor}× blue's ${blue.p99Ms} ms`
    : undefined;
}

/**
 * Judges green over a window, against absolute limits and against blue over the same window (the baseline,
 * when blue served enough requests in it). Errors: green fails only when its error rate's lower confidence
 * bound (Wilson, 99.5 % one-sided) is over the limit, or over blue's upper bound plus the margin, so noise in
 * a good version's few errors does not roll it back. Latency: its p99 over `latencyFactor` × blue's and at
 * least `minLatencyDeltaMs` slower, or over `maxP99Ms`. Fewer than `minRequests` to green: not judged, passes.
 */
export function judgeWindow(
  green: WindowMetrics,
  blue: WindowMetrics | null,
  limits: AnalysisLimits,
): Verdict {
  const numbers = [describe('green', green), ...(blue ? [describe('blue', blue)] : [])].join('; ');
  if (green.requests < limits.minRequests)
    return {
      passed: true,
      judged: false,
      reason: `not judged: ${numbers} (fewer than ${limits.minRequests} requests)`,
      green,
      blue,
      errorRateLowerBound: null,
    };
  const lower = wilsonBounds(green.errors, green.requests).lower;
  const failure = errorFailure(blue, limits, lower) ?? latencyFailure(green, blue, limits);
  return {
    passed: !failure,
    judged: true,
    reason: `${failure ?? 'within limits'}: ${numbers}`,
    green,
    blue,
    errorRateLowerBound: Number(lower.toFixed(5)),
  };
}
