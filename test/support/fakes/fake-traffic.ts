import type { TrafficSnapshot } from '../../../core/deployment/deployment-record.js';
import type { FleetWeight } from '../../../core/deployment/traffic-plan.js';
import type { Clock } from '../../../core/ports/clock.js';
import {
  type FleetInUse,
  type ListenerKey,
  MAX_WEIGHTED_FLEETS,
  type Traffic,
} from '../../../core/ports/traffic.js';
import type { FakeFleets } from './fake-fleets.js';

const key = (l: ListenerKey) => `${l.service}/${l.environment}`;

/**
 * A load balancer for tests that refuses what an ALB refuses: unknown fleets, >5 groups, weights ≠ 100. A drained
 * fleet's targets drain for `drainSeconds` of the clock's time, while the fleet exists.
 */
export class FakeTraffic implements Traffic {
  readonly routes = new Map<string, FleetWeight[]>();
  readonly previews = new Map<string, string>();
  /** Drained fleets: when each drain ends. */
  readonly draining = new Map<string, Date>();
  drainSeconds = 30;
  /** Set, fleetsInUse fails with it (the load balancer could not be read). */
  unreadable: Error | undefined;

  constructor(
    private readonly fleets: FakeFleets,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async current(listener: ListenerKey): Promise<TrafficSnapshot> {
    return { weights: structuredClone(this.routes.get(key(listener)) ?? []) };
  }

  async shift(listener: ListenerKey, weights: FleetWeight[]) {
    if (weights.length > MAX_WEIGHTED_FLEETS) throw new Error(`at most ${MAX_WEIGHTED_FLEETS} target groups`);
    const total = weights.reduce((sum, w) => sum + w.percent, 0);
    if (total !== 100) throw new Error(`weights sum to ${total}, not 100`);
    for (const w of weights) {
      if (!this.fleets.fleets.has(w.fleetId)) throw new Error(`fleet ${w.fleetId} does not exist`);
    }
    this.routes.set(key(listener), structuredClone(weights));
  }

  async restore(listener: ListenerKey, snapshot: TrafficSnapshot) {
    if (snapshot.weights.length === 0) this.routes.delete(key(listener));
    else this.routes.set(key(listener), structuredClone(snapshot.weights));
  }

  async preview(listener: ListenerKey, fleetId: string) {
    this.previews.set(key(listener), fleetId);
    return { url: `http://preview.${listener.service}.${listener.environment}.test` };
  }

  async drain(_listener: ListenerKey, fleetId: string) {
    this.draining.set(fleetId, new Date(this.clock.now().getTime() + this.drainSeconds * 1000));
    return { drainSeconds: this.drainSeconds };
  }

  /** What the fake's listeners forward to (weight > 0), its previews, and fleets still within their drain. */
  async fleetsInUse(service: string, environments: readonly string[]): Promise<FleetInUse[]> {
    if (this.unreadable) throw this.unreadable;
    const found: FleetInUse[] = [];
    for (const environment of environments) {
      const name = `${service}/${environment}`;
      for (const w of this.routes.get(name) ?? [])
        if (w.percent > 0)
          found.push({ fleetId: w.fleetId, by: 'listener', detail: `${name} ${w.percent}%` });
      const previewed = this.previewReaches(service, environment);
      if (previewed) found.push({ fleetId: previewed, by: 'preview', detail: `${name} preview` });
    }
    for (const [fleetId, until] of this.draining)
      if (this.fleets.fleets.has(fleetId) && this.clock.now() < until)
        found.push({ fleetId, by: 'draining', detail: `until ${until.toISOString()}` });
    return found;
  }

  /** The fleet the preview listener forwards to, if it still exists (a removed fleet's group has no targets). */
  previewReaches(service: string, environment: string): string | undefined {
    const fleetId = this.previews.get(`${service}/${environment}`);
    return fleetId && this.fleets.fleets.has(fleetId) ? fleetId : undefined;
  }

  /** Percent of traffic per fleet (fleets at 0% omitted). */
  weightsOf(service: string, environment: string): Record<string, number> {
    const weights = this.routes.get(`${service}/${environment}`) ?? [];
    return Object.fromEntries(weights.filter((w) => w.percent > 0).map((w) => [w.fleetId, w.percent]));
  }
}
