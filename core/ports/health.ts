export interface FleetHealth {
  healthy: number;
  unhealthy: number;
  total: number;
  /** Target states and reasons, for a failure cause a person can act on. */
  details: string[];
}

/** What the load balancer's health checks say about a fleet's instances. */
export interface Health {
  check(target: { service: string; environment: string; fleetId: string }): Promise<FleetHealth>;
  /** Ids of the targets in the fleet's target group, draining ones excluded (for drift reports). */
  registeredTargets(target: { service: string; environment: string; fleetId: string }): Promise<string[]>;
}
