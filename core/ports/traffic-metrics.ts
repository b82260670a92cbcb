import type { TrafficSeries } from '../analysis/window-metrics.js';
import type { ListenerKey } from './traffic.js';

/**
 * What each fleet behind a listener answered, bucket by bucket (locally the load balancer's own counts, on AWS
 * CloudWatch's target-group metrics), and which of the named alarms are in ALARM (AWS only).
 */
export interface TrafficMetrics {
  /**
   * Each fleet's buckets from `from` to `to`, on one grid, up to the last settled bucket; requests slower than
   * each of `slowerThanMs` are counted in each bucket's `slow`, in the same order.
   */
  series(
    listener: ListenerKey,
    fleetIds: string[],
    from: Date,
    to: Date,
    options: { slowerThanMs: number[] },
  ): Promise<TrafficSeries>;
  /** The named alarms now in ALARM; none where alarms do not exist (local mode). */
  alarmsFiring(names: string[]): Promise<string[]>;
}
