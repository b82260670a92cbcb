import type { Clock } from '../ports/clock.js';
import type { Fleets } from '../ports/fleets.js';
import type { ImageCatalog } from '../ports/image-baker.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import { gatherGarbageContext, type OwnedResource, selectGarbage } from './select-garbage.js';

/**
 * What only the provider can find and remove: fleets (including what a launch stopped half way left) and
 * builders. Images are listed and fleets and images removed through the ports.
 */
export interface ProviderLeftovers {
  listFleets(service: string, environments: string[]): Promise<OwnedResource[]>;
  listBuilders(service: string): Promise<OwnedResource[]>;
  removeBuilder(builderId: string): Promise<void>;
}

export interface JanitorReport {
  service: string;
  dryRun: boolean;
  removed: { kind: OwnedResource['kind']; id: string }[];
}

/**
 * Removes (or with dryRun only reports) what a service owns that no live release, deployment in flight or
 * rollback window needs. Resources are listed before the records that protect them are read: nothing exists
 * before its deployment's record, so nothing made meanwhile can look orphaned.
 */
export async function runJanitor(
  deps: {
    configs: ServiceConfigs;
    store: ReleaseStore;
    clock: Clock;
    fleets: Pick<Fleets, 'destroy'>;
    baker: Pick<ImageCatalog, 'listImages' | 'discardImage'>;
  },
  provider: ProviderLeftovers,
  service: string,
  options: { dryRun: boolean },
): Promise<JanitorReport> {
  const { config } = await deps.configs.load(service);
  const environments = Object.keys(config.environments);
  const resources: OwnedResource[] = [
    ...(await provider.listFleets(service, environments)),
    ...(await provider.listBuilders(service)),
    ...(await deps.baker.listImages(service)).map((i) => ({
      kind: 'image' as const,
      id: i.imageId,
      service,
      createdAt: i.createdAt,
      deploymentId: i.createdByDeployment,
    })),
  ];
  const context = await gatherGarbageContext(
    deps.store,
    service,
    environments,
    { retainImages: config.retention.images, bakeDeadlineSeconds: config.bake.timeoutSeconds },
    deps.clock.now(),
  );
  const garbage = selectGarbage(resources, context);
  if (!options.dryRun) {
    for (const resource of garbage) {
      if (resource.kind === 'fleet') {
        const { id: fleetId, environment } = resource;
        await deps.fleets.destroy({ fleetId, service, environment });
      } else if (resource.kind === 'image') await deps.baker.discardImage(resource.id);
      else await provider.removeBuilder(resource.id);
    }
  }
  return { service, dryRun: options.dryRun, removed: garbage.map((r) => ({ kind: r.kind, id: r.id })) };
}
