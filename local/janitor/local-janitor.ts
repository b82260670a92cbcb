import type { Clock } from '../../core/ports/clock.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import { type JanitorReport, type OwnedResources, runJanitor } from '../../core/releases/run-janitor.js';
import type { LocalImageBaker } from '../baker/local-image-baker.js';
import type { LocalFleets } from '../fleets/local-fleets.js';

export interface LocalJanitorDeps {
  configs: ServiceConfigs & { services(): Promise<string[]> };
  store: ReleaseStore;
  fleets: LocalFleets;
  baker: LocalImageBaker;
  clock: Clock;
}

/** Local mode's janitor, for every configured service: fleets (processes), images and abandoned bakes. */
export async function runLocalJanitor(
  deps: LocalJanitorDeps,
  options: { dryRun: boolean },
): Promise<JanitorReport[]> {
  const owned: OwnedResources = {
    list: async (service) => [
      ...deps.fleets
        .owned()
        .filter((f) => f.service === service)
        .map((f) => ({
          kind: 'fleet' as const,
          id: f.fleetId,
          service,
          environment: f.environment,
          deploymentId: f.deploymentId,
        })),
      ...(await deps.baker.listImages(service)).map((i) => ({
        kind: 'image' as const,
        id: i.imageId,
        service,
        createdAt: i.createdAt,
        deploymentId: i.createdByDeployment,
      })),
      ...(await deps.baker.bakesInFlight(service)).map((b) => ({
        kind: 'builder' as const,
        id: b.bakeId,
        service,
        deploymentId: b.deploymentId,
        launchedAt: b.startedAt,
      })),
    ],
    remove: async (resource) => {
      if (resource.kind === 'fleet') {
        await deps.fleets.destroy({
          fleetId: resource.id,
          service: resource.service,
          environment: resource.environment,
        });
      } else if (resource.kind === 'image') await deps.baker.discardImage(resource.id);
      else await deps.baker.cancelBake(resource.id);
    },
  };
  const reports: JanitorReport[] = [];
  for (const service of await deps.configs.services())
    reports.push(await runJanitor(deps, owned, service, options));
  return reports;
}
