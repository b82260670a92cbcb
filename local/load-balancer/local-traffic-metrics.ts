import type { MetricBucket, TrafficSeries } from '../../core/analysis/window-metrics.js';
import type { ListenerKey } from '../../core/ports/traffic.js';
import type { TrafficMetrics } from '../../core/ports/traffic-metrics.js';
import type { LocalDataPlane } from './local-data-plane.js';

/**
 * The metrics port on the local load balancer's own counts, second by second: every 5xx it answers for a
 * target group (the target's, or its own 502 when the target failed) is that group's, so nothing is left
 * unattributed; a second is final once it has ended. Local mode has no alarms.
 */
export class LocalTrafficMetrics implements TrafficMetrics {
  constructor(private readonly dataPlane: LocalDataPlane) {}

  async series(
    _listener: ListenerKey,
    fleetIds: string[],
    from: Date,
    to: Date,
    options: { slowerThanMs: number[] },
  ): Promise<TrafficSeries> {
    const settledUntil = Math.min(Math.floor(to.getTime() / 1000), Math.floor(Date.now() / 1000)) * 1000;
    const fleets: Record<string, MetricBucket[]> = {};
    for (const fleetId of fleetIds)
      fleets[fleetId] = await this.dataPlane.commands.requestSeries(
        fleetId,
        from.getTime(),
        settledUntil,
        options.slowerThanMs,
      );
    const length = Math.max(0, ...Object.values(fleets).map((b) => b.length));
    return {
      bucketSeconds: 1,
      settledUntil,
      fleets,
      unattributedErrors: new Array(length).fill(0),
      emptyMeansNoRequests: true,
    };
  }

  async alarmsFiring(): Promise<string[]> {
    return [];
  }
}
