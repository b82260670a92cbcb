import type { Clock } from '../../core/ports/clock.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import {
  gatherGarbageContext,
  type OwnedResource,
  selectGarbage,
} from '../../core/releases/select-garbage.js';
import type { LocalImageBaker } from '../baker/local-image-baker.js';
import type { LocalFleets } from '../fleets/local-fleets.js';

export interface JanitorReport {
  service: string;
  dryRun: boolean;
  removed: { kind: OwnedResource['kind']; id: string }[];
}

export interface LocalJanitorDeps {
  configs: ServiceConfigs & { services(): Promise<string[]> };
  store: ReleaseStore;
  fleets: LocalFleets;
  baker: LocalImageBaker;
  clock: Clock;
}

/**
 * Local mode's janitor: fleets (processes), images and bakes that belong to no live release, no deployment in
 * flight and no rollback window, and images beyond retention. `dryRun` only reports.
 */
export async function runLocalJanitor(
  deps: LocalJanitorDeps,
  options: { dryRun: boolean },
): Promise<JanitorReport[]> {
  const reports: JanitorReport[] = [];
  for (const service of await deps.configs.services()) {
    const { config } = await deps.configs.load(service);
    // Resources first, then the records that protect them: nothing exists before its deployment's record.
    const resources: OwnedResource[] = [
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
    ];
    const context = await gatherGarbageContext(
      deps.store,
      service,
      Object.keys(config.environments),
      { retainImages: config.retention.images, bakeDeadlineSeconds: config.bake.timeoutSeconds },
      deps.clock.now(),
    );
    const garbage = selectGarbage(resources, context);
    if (!options.dryRun) {
      for (const resource of garbage) {
        if (resource.kind === 'fleet')
          await deps.fleets.destroy({ fleetId: resource.id, service, environment: resource.environment });
        else if (resource.kind === 'image') await deps.baker.discardImage(resource.id);
        else await deps.baker.cancelBake(resource.id);
      }
    }
    reports.push({
      service,
      dryRun: options.dryRun,
      removed: garbage.map((r) => ({ kind: r.kind, id: r.id })),
    });
  }
  return reports;
}
