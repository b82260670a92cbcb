import type { WindowMetrics } from '../../../core/analysis/window-metrics.js';
import type { TrafficMetrics } from '../../../core/ports/traffic-metrics.js';

/** A test fake: each fleet answers what the test sets (nothing by default); alarms fire when the test says. */
export class FakeTrafficMetrics implements TrafficMetrics {
  readonly byFleet = new Map<string, WindowMetrics>();
  readonly firing = new Set<string>();
  /** Every window asked for, in order. */
  readonly asked: { fleetIds: string[]; from: string; to: string }[] = [];

  async windows(_listener: unknown, fleetIds: string[], from: Date, to: Date) {
    this.asked.push({ fleetIds, from: from.toISOString(), to: to.toISOString() });
    return Object.fromEntries(
      fleetIds.map((id) => [id, this.byFleet.get(id) ?? { requests: 0, errors: 0, p99Ms: null }]),
    );
  }

  async alarmsFiring(names: string[]) {
    return names.filter((name) => this.firing.has(name));
  }
}
