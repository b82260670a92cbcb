/** What one fleet answered over a window of time: the figures a verdict is made of. */
export interface WindowMetrics {
  requests: number;
  /** Responses with a 5xx status (the target's, or the load balancer's for it). */
  errors: number;
  /** The 99th percentile of response time, ms; null without requests. */
  p99Ms: number | null;
}
