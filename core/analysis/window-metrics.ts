/** What one fleet answered over a window of time: the totals a verdict reports. */
export interface WindowMetrics {
  requests: number;
  /** Responses with a 5xx status (the target's, or the load balancer's for it). */
  errors: number;
  /** The 99th percentile of response time, ms; null without requests. */
  p99Ms: number | null;
}

/** What one fleet answered in one bucket of time (the load balancer's own resolution: 60 s on AWS). */
export interface MetricBucket extends WindowMetrics {
  /** The bucket's start, ms since the epoch. */
  at: number;
  /** Requests slower than each threshold asked for, in order (none asked, none counted). */
  slow: number[];
  /** The median response time, ms; null without requests. */
  p50Ms: number | null;
}

/**
 * Each fleet's buckets over a window, on one grid (every fleet has a bucket at every `at`, empty ones too),
 * up to `settledUntil`: later buckets are not final yet (CloudWatch publishes late) and are left out.
 */
export interface TrafficSeries {
  bucketSeconds: number;
  /** The end of the last bucket returned, ms since the epoch. */
  settledUntil: number;
  fleets: Record<string, MetricBucket[]>;
  /**
   * Load-balancer 5xx in each bucket that no target group's metrics account for (on AWS the ELB-generated
   * 5xx of the whole load balancer less the target groups' connection and TLS errors); 0 locally, where the
   * load balancer counts its own 5xx per target group.
   */
  unattributedErrors: number[];
  /**
   * True where an empty bucket is a true zero (the local load balancer counts every request); absent or false
   * where it may be a missing datapoint (CloudWatch publishes no datapoint for a minute without requests).
   */
  emptyMeansNoRequests?: boolean;
}
