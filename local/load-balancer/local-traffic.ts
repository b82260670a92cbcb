import type { TrafficSnapshot } from '../../core/deployment/deployment-record.js';
import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import type { ListenerKey, Traffic } from '../../core/ports/traffic.js';
import type { LocalLoadBalancers } from './local-load-balancers.js';

/** The Traffic port on the local load balancers. */
export class LocalTraffic implements Traffic {
  constructor(private readonly balancers: LocalLoadBalancers) {}

  async current(listener: ListenerKey): Promise<TrafficSnapshot> {
    return { weights: (await this.balancers.listenerFor(listener)).main.currentWeights() };
  }

  async shift(listener: ListenerKey, weights: FleetWeight[]) {
    (await this.balancers.listenerFor(listener)).main.setWeights(weights);
  }

  /** Throws if a fleet of the snapshot is gone: routing to nothing is never a restore. */
  async restore(listener: ListenerKey, snapshot: TrafficSnapshot) {
    (await this.balancers.listenerFor(listener)).main.setWeights(snapshot.weights);
  }

  async preview(listener: ListenerKey, fleetId: string) {
    return { url: await this.balancers.previewTo(listener, fleetId) };
  }

  async drain(_listener: ListenerKey, fleetId: string) {
    const group = this.balancers.group(fleetId);
    if (!group) return { drainSeconds: 0 };
    group.startDraining();
    return { drainSeconds: group.deregistrationDelaySeconds };
  }
}
