import type { FleetHealth } from '../ports/health.js';

/** Green is ready only when its full desired count is healthy: never shift to a partly healthy fleet. */
export const isFullyHealthy = (health: FleetHealth, desired: number) =>
  health.healthy >= desired && health.unhealthy === 0;

export function describeHealth(health: FleetHealth, desired: number): string {
  const counts = `${health.healthy}/${desired} healthy, ${health.unhealthy} unhealthy, ${health.total} registered`;
  return health.details.length > 0 ? `${counts} (${health.details.join('; ')})` : counts;
}
