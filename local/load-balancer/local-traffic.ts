import type { TrafficSnapshot } from '../../core/deployment/deployment-record.js';
import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import type { FleetInUse, ListenerKey, Traffic } from '../../core/ports/traffic.js';
import type { LocalDataPlane } from './local-data-plane.js';

/** The Traffic port on the local data plane: each change is one message to its thread. */
export class LocalTraffic implements Traffic {
  constructor(private readonly dataPlane: LocalDataPlane) {}

  async current(listener: ListenerKey): Promise<TrafficSnapshot> {
    return { weights: await this.dataPlane.commands.currentWeights(listener) };
  }

  async shift(listener: ListenerKey, weights: FleetWeight[]) {
    await this.dataPlane.setWeights(listener, weights);
  }

  /** Throws if a fleet of the snapshot is gone: routing to nothing is never a restore. */
  async restore(listener: ListenerKey, snapshot: TrafficSnapshot) {
    await this.dataPlane.setWeights(listener, snapshot.weights);
  }

  async preview(listener: ListenerKey, fleetId: string) {
    return { url: await this.dataPlane.commands.previewTo(listener, fleetId) };
  }

  async drain(_listener: ListenerKey, fleetId: string) {
    return { drainSeconds: (await this.dataPlane.commands.startDraining(fleetId)) ?? 0 };
  }

  /** Read from the data plane's listeners and target groups themselves. */
  async fleetsInUse(service: string, environments: readonly string[]): Promise<FleetInUse[]> {
    return this.dataPlane.commands.fleetsInUse(service, environments);
  }
}
