import type { MetricBucket, TrafficSeries, WindowMetrics } from '../../../core/analysis/window-metrics.js';
import type { TrafficMetrics } from '../../../core/ports/traffic-metrics.js';

/**
 * A test fake: minute buckets; in each, a fleet answers what the test sets for it (nothing by default), or
 * what `perMinute` returns for that minute; alarms fire when the test says.
 */
export class FakeTrafficMetrics implements TrafficMetrics {
  readonly byFleet = new Map<string, WindowMetrics & { slow?: number[] }>();
  /** Overrides byFleet: a fleet's figures in the minute starting at `at` (ms). */
  perMinute: ((fleetId: string, at: number) => (WindowMetrics & { slow?: number[] }) | undefined) | undefined;
  readonly firing = new Set<string>();
  /** Every series asked for, in order. */
  readonly asked: { fleetIds: string[]; from: string; to: string }[] = [];
  /** The buckets' length (CloudWatch's minute by default; the local load balancer's second when set to 1). */
  bucketSeconds = 60;

  async series(_listener: unknown, fleetIds: string[], from: Date, to: Date): Promise<TrafficSeries> {
    this.asked.push({ fleetIds, from: from.toISOString(), to: to.toISOString() });
    const bucket = this.bucketSeconds * 1000;
    const start = Math.ceil(from.getTime() / bucket) * bucket;
    const settledUntil = Math.max(start, Math.floor(to.getTime() / bucket) * bucket);
    const grid = Array.from({ length: (settledUntil - start) / bucket }, (_, k) => start + k * bucket);
    const fleets: Record<string, MetricBucket[]> = {};
    for (const id of fleetIds)
      fleets[id] = grid.map((at) => {
        const m = this.perMinute?.(id, at) ?? this.byFleet.get(id);
        return {
          at,
          requests: m?.requests ?? 0,
          errors: m?.errors ?? 0,
          p50Ms: m?.p99Ms ?? null,
          p99Ms: m?.p99Ms ?? null,
          slow: m?.slow ?? [0, 0],
        };
      });
    return { bucketSeconds: this.bucketSeconds, settledUntil, fleets, unattributedErrors: grid.map(() => 0) };
  }

  async alarmsFiring(names: string[]) {
    return names.filter((name) => this.firing.has(name));
  }
}
