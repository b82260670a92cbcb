import type { MetricBucket, WindowMetrics } from '../../core/analysis/window-metrics.js';

/** Latency bins: upper bounds from 1 ms, ×1.25 each, to about 60 s (a histogram per second, not every sample). */
const BOUNDS = Array.from({ length: 50 }, (_, i) => Math.ceil(1.25 ** i));
/** Seconds of history kept per target group: longer than any analysis window a configuration allows. */
const KEPT_SECONDS = 3_600;

/** The first bin whose bound holds `latencyMs` (the last one for anything longer). */
function binOf(latencyMs: number): number {
  let i = 0;
  while (i < BOUNDS.length - 1 && latencyMs > (BOUNDS[i] ?? 0)) i++;
  return i;
}

interface Second {
  at: number;
  requests: number;
  errors: number;
  bins: number[];
}

/**
 * What one target group answered, second by second: requests, 5xx responses and a latency histogram, so any
 * window's error rate and p99 can be read (as CloudWatch's RequestCount, HTTPCode_Target_5XX_Count and
 * TargetResponseTime p99 are on AWS).
 */
export class RequestMetrics {
  private readonly seconds: Second[] = [];

  record(status: number, latencyMs: number, atMs = Date.now()): void {
    const at = Math.floor(atMs / 1000);
    let second = this.seconds.at(-1);
    if (!second || second.at !== at) {
      second = { at, requests: 0, errors: 0, bins: new Array(BOUNDS.length).fill(0) };
      this.seconds.push(second);
      while ((this.seconds[0]?.at ?? at) < at - KEPT_SECONDS) this.seconds.shift();
    }
    second.requests += 1;
    if (status >= 500) second.errors += 1;
    const bin = binOf(latencyMs);
    second.bins[bin] = (second.bins[bin] ?? 0) + 1;
  }

  /** The window from `fromMs` to `toMs` (whole seconds that overlap it). */
  window(fromMs: number, toMs = Date.now()): WindowMetrics {
    const from = Math.floor(fromMs / 1000);
    const to = Math.floor(toMs / 1000);
    const inWindow = this.seconds.filter((s) => s.at >= from && s.at <= to);
    const bins = new Array<number>(BOUNDS.length).fill(0);
    let requests = 0;
    let errors = 0;
    for (const second of inWindow) {
      requests += second.requests;
      errors += second.errors;
      second.bins.forEach((n, i) => {
        bins[i] = (bins[i] ?? 0) + n;
      });
    }
    return { requests, errors, p99Ms: requests ? percentile(bins, requests, 0.99) : null };
  }

  /**
   * One bucket per whole second from `fromMs` (the first whole second at or after it) up to `toMs` (the last
   * second that has ended: a second still under way is not final), empty seconds included.
   */
  series(fromMs: number, toMs: number, slowerThanMs: number[]): MetricBucket[] {
    const first = Math.ceil(fromMs / 1000);
    const end = Math.floor(toMs / 1000);
    const bySecond = new Map(this.seconds.map((s) => [s.at, s]));
    const buckets: MetricBucket[] = [];
    for (let at = first; at < end; at++) {
      const second = bySecond.get(at);
      const requests = second?.requests ?? 0;
      buckets.push({
        at: at * 1000,
        requests,
        errors: second?.errors ?? 0,
        slow: slowerThanMs.map((t) => (second ? slowerThan(second.bins, t) : 0)),
        p50Ms: second && requests ? percentile(second.bins, requests, 0.5) : null,
        p99Ms: second && requests ? percentile(second.bins, requests, 0.99) : null,
      });
    }
    return buckets;
  }
}

/** Requests in bins wholly above `thresholdMs` (a bin straddling it counts as not slow). */
function slowerThan(bins: number[], thresholdMs: number): number {
  return bins.reduce((n, count, i) => n + ((BOUNDS[i - 1] ?? 0) >= thresholdMs ? count : 0), 0);
}

/** The bin bound under which `q` of the requests fell. */
function percentile(bins: number[], total: number, q: number): number {
  let seen = 0;
  for (const [i, n] of bins.entries()) {
    seen += n;
    if (seen >= q * total) return BOUNDS[i] ?? Number.NaN;
  }
  return BOUNDS.at(-1) ?? Number.NaN;
}
