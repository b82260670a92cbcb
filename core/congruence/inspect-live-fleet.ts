import { bakeKeyOf } from '../deployment/bake-key.js';
import type { Release } from '../deployment/deployment-record.js';
import type { ImageCatalog } from '../ports/image-baker.js';
import type { Ports } from '../ports/index.js';
import { detectDrift } from './detect-drift.js';
import type { DriftReport } from './drift-report.js';

/**
 * Looks at what serves a live release now (fleet, instances, target group, image) and reports how it drifted
 * from what bakeshift launched. Needs an artifact to tell whether a bake today would use a newer base.
 */
export async function inspectLiveFleet(
  ports: Pick<Ports, 'fleets' | 'health' | 'clock'> & { baker: ImageCatalog },
  live: Release & { artifact: NonNullable<Release['artifact']> },
  baseImageReference: string,
): Promise<DriftReport> {
  const target = { service: live.service, environment: live.environment, fleetId: live.fleetId };
  const [fleet, instances, launchChanges, targets, image, baseImageId] = await Promise.all([
    ports.fleets.describe(live.fleetId),
    ports.fleets.instances(live.fleetId),
    ports.fleets.launchChanges?.(live.fleetId) ?? [],
    ports.health.registeredTargets(target),
    ports.baker.getImage(live.imageId),
    ports.baker.resolveBaseImage(baseImageReference),
  ]);
  const bakeKeyToday = bakeKeyOf({ artifact: live.artifact, baseImageId, recipe: ports.baker.recipe });
  return detectDrift({
    expected: { fleetId: live.fleetId, imageId: live.imageId, capacity: live.capacity },
    fleet,
    instances,
    launchChanges,
    targets,
    imageCreatedAt: image?.createdAt,
    onNewestBase: image?.bakeKey === bakeKeyToday,
    now: ports.clock.now(),
  });
}
