import { expect } from 'vitest';
import type { FakeWorld } from './fake-world.js';
import type { SimulatedCloud } from './simulated-cloud.js';

const tag = (tags: { Key?: string; Value?: string }[], key: string) => tags.find((t) => t.Key === key)?.Value;

/** What the cloud looks like before a deployment, to compare with after it. */
export function cloudBefore(cloud: SimulatedCloud, listenerArn: string) {
  return {
    listener: structuredClone(cloud.listeners.get(listenerArn)),
    groups: [...cloud.groups.values()].map((g) => ({
      name: g.name,
      min: g.min,
      max: g.max,
      desired: g.desired,
    })),
  };
}

/**
 * Every snapshot bakeshift tagged belongs to an image that still exists: an AMI's snapshots go with it (a
 * deregistered image's snapshots stay, and are billed, until deleted).
 */
export function expectNoOrphanSnapshots(cloud: SimulatedCloud) {
  const ofImages = new Set([...cloud.images.values()].flatMap((image) => image.snapshotIds));
  const orphans = [...cloud.snapshots].filter(
    (id) => !ofImages.has(id) && tag(cloud.snapshotTags.get(id) ?? [], 'managed-by') === 'bakeshift',
  );
  expect(orphans.map((id) => ({ snapshot: id, tags: cloud.snapshotTags.get(id) }))).toEqual([]);
}

/** Nothing the attempt created is left: builder, group, instance, launch template version, AMI, snapshot. */
export function expectNothingLeftBy(cloud: SimulatedCloud, deploymentId: string) {
  const ofDeployment = (tags: { Key?: string; Value?: string }[]) =>
    tag(tags, 'bakeshift:deployment') === deploymentId;
  expect(cloud.liveInstances().filter((i) => ofDeployment(i.tags) && i.state !== 'shutting-down')).toEqual(
    [],
  );
  expect([...cloud.groups.values()].filter((g) => tag(g.tags, 'bakeshift:fleet') === deploymentId)).toEqual(
    [],
  );
  for (const template of cloud.launchTemplates.values()) {
    const version = template.tokens.get(deploymentId.slice(0, 64));
    if (version !== undefined) expect(template.versions.has(version)).toBe(false);
  }
  expect([...cloud.images.values()].filter((i) => ofDeployment(i.tags)).map((i) => i.id)).toEqual([]);
  expect([...cloud.snapshots].filter((id) => ofDeployment(cloud.snapshotTags.get(id) ?? []))).toEqual([]);
  expectNoOrphanSnapshots(cloud);
}

/** Compensated: the listener has exactly its recorded action, blue's group is untouched, the lock is free. */
export async function expectCompensatedOnAws(
  world: FakeWorld,
  cloud: SimulatedCloud,
  before: ReturnType<typeof cloudBefore>,
  deployment: { deploymentId: string; environment: string },
  listenerArn: string,
) {
  expect(cloud.listeners.get(listenerArn)).toEqual(before.listener);
  expect(
    [...cloud.groups.values()].map((g) => ({ name: g.name, min: g.min, max: g.max, desired: g.desired })),
  ).toEqual(before.groups);
  expectNothingLeftBy(cloud, deployment.deploymentId);
  expect(await world.store.lockHolder('web', deployment.environment)).toBeUndefined();
  expect(world.tokens.pendingCount).toBe(0);
  expect((await world.store.getDeployment(deployment.deploymentId))?.status).toBe('rolled_back');
}
