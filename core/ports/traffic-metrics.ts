import type { WindowMetrics } from '../analysis/window-metrics.js';
import type { ListenerKey } from './traffic.js';

/**
 * What each fleet behind a listener answered over a window (locally the load balancer's own counts, on AWS
 * CloudWatch's target-group metrics), and which of the named alarms are in ALARM (AWS only).
 */
export interface TrafficMetrics {
  /** Each fleet's figures from `from` to `to`; a fleet that served nothing has zero requests. */
  windows(
    listener: ListenerKey,
    fleetIds: string[],
    from: Date,
    to: Date,
  ): Promise<Record<string, WindowMetrics>>;
  /** The named alarms now in ALARM; none where alarms do not exist (local mode). */
  alarmsFiring(names: string[]): Promise<string[]>;
}
