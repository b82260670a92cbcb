import type { FleetHealth, Health } from '../../../core/ports/health.js';
import { type FakeFleets, fakeInstanceId } from './fake-fleets.js';

/**
 * Health for tests: every instance of a fleet is healthy after `checksUntilHealthy` checks, unless its version
 * is listed as broken; a version can also turn unhealthy after it took traffic.
 */
export class FakeHealth implements Health {
  checksUntilHealthy = 2;
  readonly brokenVersions = new Set<string>();
  /** Versions that are healthy for this many checks, then fail (a fault after the shift). */
  readonly failAfterChecks = new Map<string, number>();
  private readonly checks = new Map<string, number>();

  constructor(private readonly fleets: FakeFleets) {}

  async check(target: { fleetId: string }): Promise<FleetHealth> {
    const spec = this.fleets.fleets.get(target.fleetId);
    if (!spec)
      return { healthy: 0, unhealthy: 0, total: 0, details: [`fleet ${target.fleetId} does not exist`] };
    const count = (this.checks.get(target.fleetId) ?? 0) + 1;
    this.checks.set(target.fleetId, count);
    const total = spec.capacity.desired;
    const limit = this.failAfterChecks.get(spec.version);
    const broken = this.brokenVersions.has(spec.version) || (limit !== undefined && count > limit);
    if (broken) {
      return {
        healthy: 0,
        unhealthy: total,
        total,
        details: [`${total} targets unhealthy: Target.ResponseCodeMismatch (503)`],
      };
    }
    if (count < this.checksUntilHealthy) {
      return {
        healthy: 0,
        unhealthy: 0,
        total,
        details: [`${total} targets initial: Elb.RegistrationInProgress`],
      };
    }
    return { healthy: total, unhealthy: 0, total, details: [] };
  }

  /** Every instance of the fleet is registered. */
  async registeredTargets(target: { fleetId: string }): Promise<string[]> {
    const spec = this.fleets.fleets.get(target.fleetId);
    return Array.from({ length: spec?.capacity.desired ?? 0 }, (_, n) => fakeInstanceId(target.fleetId, n));
  }
}
