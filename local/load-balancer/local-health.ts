import type { FleetHealth, Health } from '../../core/ports/health.js';
import type { LocalLoadBalancers } from './local-load-balancers.js';

/** The Health port: what the local load balancer's health checks say about a fleet's targets. */
export class LocalHealth implements Health {
  constructor(private readonly balancers: LocalLoadBalancers) {}

  async check(target: { fleetId: string }): Promise<FleetHealth> {
    const group = this.balancers.group(target.fleetId);
    return (
      group?.describe() ?? {
        healthy: 0,
        unhealthy: 0,
        total: 0,
        details: [`no target group for ${target.fleetId}`],
      }
    );
  }

  async registeredTargets(target: { fleetId: string }): Promise<string[]> {
    return this.balancers.group(target.fleetId)?.targetIds() ?? [];
  }
}
