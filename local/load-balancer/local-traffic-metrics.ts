import type { WindowMetrics } from '../../core/analysis/window-metrics.js';
import type { ListenerKey } from '../../core/ports/traffic.js';
import type { TrafficMetrics } from '../../core/ports/traffic-metrics.js';
import type { LocalDataPlane } from './local-data-plane.js';

/** The metrics port on the local load balancer's own counts; local mode has no alarms. */
export class LocalTrafficMetrics implements TrafficMetrics {
  constructor(private readonly dataPlane: LocalDataPlane) {}

  async windows(_listener: ListenerKey, fleetIds: string[], from: Date, to: Date) {
    const found: Record<string, WindowMetrics> = {};
    for (const fleetId of fleetIds)
      found[fleetId] = await this.dataPlane.commands.requestMetrics(fleetId, from.getTime(), to.getTime());
    return found;
  }

  async alarmsFiring(): Promise<string[]> {
    return [];
  }
}
