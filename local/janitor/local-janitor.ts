import { ConfigInvalid } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import type { Traffic } from '../../core/ports/traffic.js';
import { type JanitorReport, type ProviderLeftovers, runJanitor } from '../../core/releases/run-janitor.js';
import type { LocalImageBaker } from '../baker/local-image-baker.js';
import type { LocalFleets } from '../fleets/local-fleets.js';

export interface LocalJanitorDeps {
  configs: ServiceConfigs & { services(): Promise<string[]> };
  store: ReleaseStore;
  fleets: LocalFleets;
  /** The local load balancers: what they route to or drain is never removed. */
  traffic: Pick<Traffic, 'fleetsInUse'>;
  baker: LocalImageBaker;
  clock: Clock;
}

/**
 * Local mode's janitor, for every configured service: fleets (processes), images and abandoned bakes, by the
 * same rule as on AWS (ADR 32).
 */
export async function runLocalJanitor(
  deps: LocalJanitorDeps,
  options: { dryRun: boolean },
): Promise<JanitorReport[]> {
  const provider: ProviderLeftovers = {
    listFleets: async (service) =>
      deps.fleets
        .owned()
        .filter((f) => f.service === service)
        .map((f) => ({
          kind: 'fleet' as const,
          id: f.fleetId,
          service,
          environment: f.environment,
          deploymentId: f.deploymentId,
          imageId: f.imageId,
        })),
    listBuilders: async (service) =>
      (await deps.baker.bakesInFlight(service)).map((b) => ({
        kind: 'builder' as const,
        id: b.bakeId,
        service,
        deploymentId: b.deploymentId,
        launchedAt: b.startedAt,
      })),
    removeBuilder: (bakeId) => deps.baker.cancelBake(bakeId),
  };
  const reports: JanitorReport[] = [];
  for (const service of await deps.configs.services()) {
    const report = await runJanitor(deps, provider, service, options).catch((error: Error) => {
      // A service whose configuration cannot be read keeps everything; the others are still cleaned.
      if (error.name !== ConfigInvalid.errorName) throw error;
      return { service, dryRun: options.dryRun, removed: [], kept: [], skipped: error.message };
    });
    reports.push(report);
  }
  return reports;
}
