import type { DeploymentRecord, Release } from '../deployment/deployment-record.js';
import type { ReleaseStore } from '../ports/release-store.js';

/** How many recent succeeded releases per environment keep their image, for a rollback by redeploy. */
export const ROLLBACK_WINDOW_RELEASES = 2;

/** Something bakeshift created and tagged as its own (managed-by=bakeshift). */
export type OwnedResource =
  | { kind: 'fleet'; id: string; service: string; environment: string; deploymentId: string }
  | { kind: 'image'; id: string; service: string; createdAt: string; deploymentId: string }
  | { kind: 'builder'; id: string; service: string; deploymentId: string; launchedAt: string };

export interface GarbageContext {
  live: Release[];
  /** Recent deployment records of the service, any status. */
  deployments: DeploymentRecord[];
  /** Images kept per service beyond those protected. */
  retainImages: number;
  /** How many recent succeeded releases per environment keep their image for a rollback by redeploy. */
  rollbackWindowReleases: number;
  /** A builder older than this is stuck, whatever its deployment says. */
  bakeDeadlineSeconds: number;
  now: Date;
}

const IN_FLIGHT = new Set(['in_progress', 'compensating']);

/**
 * What the janitor may remove: resources it owns that belong to no live release, no deployment in flight and
 * no rollback window, and images beyond retention. Never anything else.
 */
export function selectGarbage(resources: readonly OwnedResource[], context: GarbageContext): OwnedResource[] {
  const inFlight = new Set(
    context.deployments.filter((d) => IN_FLIGHT.has(d.status)).map((d) => d.deploymentId),
  );
  const liveFleets = new Set(context.live.map((r) => r.fleetId));
  const protectedImages = new Set(context.live.map((r) => r.imageId));
  for (const d of context.deployments)
    if (inFlight.has(d.deploymentId) && d.imageId) protectedImages.add(d.imageId);
  const byEnvironment = new Map<string, DeploymentRecord[]>();
  for (const d of context.deployments) {
    if (d.status !== 'succeeded') continue;
    byEnvironment.set(d.environment, [...(byEnvironment.get(d.environment) ?? []), d]);
  }
  for (const records of byEnvironment.values()) {
    const newestFirst = records.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
    for (const d of newestFirst.slice(0, context.rollbackWindowReleases))
      if (d.imageId) protectedImages.add(d.imageId);
  }
  const retained = new Set(
    resources
      .filter((r): r is Extract<OwnedResource, { kind: 'image' }> => r.kind === 'image')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, context.retainImages)
      .map((r) => r.id),
  );

  const isGarbage = (resource: OwnedResource): boolean => {
    if (resource.kind === 'fleet')
      return !liveFleets.has(resource.id) && !inFlight.has(resource.deploymentId);
    if (resource.kind === 'image') {
      return (
        !protectedImages.has(resource.id) &&
        !retained.has(resource.id) &&
        !inFlight.has(resource.deploymentId)
      );
    }
    const ageSeconds = (context.now.getTime() - Date.parse(resource.launchedAt)) / 1000;
    return !inFlight.has(resource.deploymentId) || ageSeconds > context.bakeDeadlineSeconds;
  };
  return resources.filter(isGarbage);
}

/** The live releases and recent deployments of every environment of a service: what protects its resources. */
export async function gatherGarbageContext(
  store: ReleaseStore,
  service: string,
  environments: readonly string[],
  limits: { retainImages: number; bakeDeadlineSeconds: number },
  now: Date,
): Promise<GarbageContext> {
  const live = await store.listLiveReleases(service);
  const all = new Set([...environments, ...live.map((r) => r.environment)]);
  const deployments = (
    await Promise.all([...all].map((environment) => store.listDeployments(service, environment, 50)))
  ).flat();
  return { live, deployments, ...limits, rollbackWindowReleases: ROLLBACK_WINDOW_RELEASES, now };
}
