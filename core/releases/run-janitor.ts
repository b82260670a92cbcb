import type { Clock } from '../ports/clock.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import { gatherGarbageContext, type OwnedResource, selectGarbage } from './select-garbage.js';

/** What a janitor needs from a provider (local processes and directories, or AWS resources). */
export interface OwnedResources {
  list(service: string, environments: string[]): Promise<OwnedResource[]>;
  remove(resource: OwnedResource): Promise<void>;
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
  deps: { configs: ServiceConfigs; store: ReleaseStore; clock: Clock },
  owned: OwnedResources,
  service: string,
  options: { dryRun: boolean },
): Promise<JanitorReport> {
  const { config } = await deps.configs.load(service);
  const environments = Object.keys(config.environments);
  const resources = await owned.list(service, environments);
  const context = await gatherGarbageContext(
    deps.store,
    service,
    environments,
    { retainImages: config.retention.images, bakeDeadlineSeconds: config.bake.timeoutSeconds },
    deps.clock.now(),
  );
  const garbage = selectGarbage(resources, context);
  if (!options.dryRun) for (const resource of garbage) await owned.remove(resource);
  return { service, dryRun: options.dryRun, removed: garbage.map((r) => ({ kind: r.kind, id: r.id })) };
}
