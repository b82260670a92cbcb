import type { FleetHealth, Health } from '../../core/ports/health.js';
import type { LocalDataPlane } from './local-data-plane.js';

/** The Health port: what the local data plane's health checks say about a fleet's targets. */
export class LocalHealth implements Health {
  constructor(private readonly dataPlane: LocalDataPlane) {}

  async check(target: { fleetId: string }): Promise<FleetHealth> {
    return (
      (await this.dataPlane.commands.describe(target.fleetId)) ?? {
        healthy: 0,
        unhealthy: 0,
        total: 0,
        details: [`no target group for ${target.fleetId}`],
      }
    );
  }

  async registeredTargets(target: { fleetId: string }): Promise<string[]> {
    return this.dataPlane.commands.targetIds(target.fleetId);
  }
}
