import type { Clock } from '../ports/clock.js';
import type { Fleets } from '../ports/fleets.js';
import type { ImageCatalog } from '../ports/image-baker.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import type { Traffic } from '../ports/traffic.js';
import {
  gatherGarbageContext,
  judgeResources,
  type OwnedResource,
  type Routing,
  type Verdict,
} from './select-garbage.js';

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
  /** What was kept, with every reason (ADR 32): a dry run says what is protected and why. */
  kept: { kind: OwnedResource['kind']; id: string; why: string[] }[];
  /** Why the load balancers could not be read, when they could not: then no fleet was removed. */
  routingUnread?: string;
  /** Why nothing of this service was looked at (its configuration cannot be read: everything is kept). */
  skipped?: string;
}

/**
 * Removes (or with dryRun only reports) what a service owns that nothing keeps: no live release, no deployment
 * not yet terminal, no drain, no listener or preview listener, no rollback window (ADR 32). Resources are listed
 * before the records that protect them are read, and the load balancers last: nothing exists before its
 * deployment's record, so nothing made meanwhile can look orphaned, and what routes now is what is read. Images
 * go last, judged again on the records as they are then: a deployment may have taken one while fleets went.
 */
export async function runJanitor(
  deps: {
    configs: ServiceConfigs;
    store: ReleaseStore;
    clock: Clock;
    fleets: Pick<Fleets, 'destroy' | 'imagesInUse'>;
    traffic: Pick<Traffic, 'fleetsInUse'>;
    baker: Pick<ImageCatalog, 'listImages' | 'discardImage'>;
  },
  provider: ProviderLeftovers,
  service: string,
  options: { dryRun: boolean },
): Promise<JanitorReport> {
  const { config } = await deps.configs.load(service);
  const configured = Object.keys(config.environments);
  const resources = await listOwned(deps, provider, service, configured);
  // An environment dropped from configuration whose fleets still run is judged as any other (ADR 52).
  const environments = [
    ...new Set([...configured, ...resources.flatMap((r) => (r.kind === 'fleet' ? [r.environment] : []))]),
  ];
  const drainSeconds = Object.fromEntries(
    Object.entries(config.environments).map(([name, env]) => [name, env.drainSeconds]),
  );
  const limits = {
    retainImages: config.retention.images,
    bakeDeadlineSeconds: config.bake.timeoutSeconds,
    drainSeconds,
  };
  const records = await gatherGarbageContext(deps.store, service, environments, limits, deps.clock.now());
  const routed = new Set([...environments, ...records.live.map((r) => r.environment)]);
  const routing = await readRouting(deps.traffic, service, [...routed]);
  const imagesInUse = await deps.fleets.imagesInUse(service);
  let verdicts = judgeResources(resources, { ...records, routing, imagesInUse });
  if (!options.dryRun) {
    await removeFleetsAndBuilders(deps, provider, service, verdicts);
    // Records read again before images go: a deployment begun meanwhile may have taken one as its own.
    const now = await gatherGarbageContext(deps.store, service, environments, limits, deps.clock.now());
    // And the fleets again: one launched meanwhile (or one that survived its removal) keeps its image.
    const running = await deps.fleets.imagesInUse(service);
    const images = judgeResources(resources, { ...now, routing, imagesInUse: running }).filter(
      (v) => v.resource.kind === 'image',
    );
    verdicts = [...verdicts.filter((v) => v.resource.kind !== 'image'), ...images];
    for (const { resource, keptBecause } of images)
      if (keptBecause.length === 0) await deps.baker.discardImage(resource.id);
  }
  const garbage = verdicts.filter((v) => v.keptBecause.length === 0).map((v) => v.resource);
  return {
    service,
    dryRun: options.dryRun,
    removed: garbage.map((r) => ({ kind: r.kind, id: r.id })),
    kept: verdicts.flatMap(({ resource: r, keptBecause }) =>
      keptBecause.length > 0 ? [{ kind: r.kind, id: r.id, why: keptBecause }] : [],
    ),
    ...(routing.read ? {} : { routingUnread: routing.reason }),
  };
}

/** Everything a service owns: fleets and builders as the provider finds them, images from the catalog. */
async function listOwned(
  deps: { baker: Pick<ImageCatalog, 'listImages'> },
  provider: ProviderLeftovers,
  service: string,
  environments: string[],
): Promise<OwnedResource[]> {
  return [
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
}

async function removeFleetsAndBuilders(
  deps: { fleets: Pick<Fleets, 'destroy'> },
  provider: ProviderLeftovers,
  service: string,
  verdicts: readonly Verdict[],
): Promise<void> {
  for (const { resource, keptBecause } of verdicts) {
    if (keptBecause.length > 0) continue;
    if (resource.kind === 'fleet') {
      const { id: fleetId, environment } = resource;
      await deps.fleets.destroy({ fleetId, service, environment });
    } else if (resource.kind === 'builder') await provider.removeBuilder(resource.id);
  }
}

/** What the load balancers route to; a failure to read them is the reason every fleet is kept (fail closed). */
async function readRouting(
  traffic: Pick<Traffic, 'fleetsInUse'>,
  service: string,
  environments: string[],
): Promise<Routing> {
  try {
    return { read: true, inUse: await traffic.fleetsInUse(service, environments) };
  } catch (error) {
    const { name, message } = error as Error;
    return { read: false, reason: `${name}: ${message}` };
  }
}
