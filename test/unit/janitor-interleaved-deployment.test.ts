import { describe, expect, it } from 'vitest';
import type { Image } from '../../core/ports/image-baker.js';
import { runJanitor } from '../../core/releases/run-janitor.js';
import { webConfig } from '../support/fake-world.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';
import { FakeServiceConfigs } from '../support/fakes/fake-service-configs.js';

/**
 * The janitor judges once, then removes one resource after another. A deployment that starts meanwhile and takes
 * an image the janitor judged garbage (a bake adopting the image of the same artifact, a rollback to an older
 * version) records it as its own; the janitor must not then remove the image that deployment is launching.
 */
const image = (id: string, createdAt: string): Image => ({
  imageId: id,
  service: 'web',
  version: id,
  bakeKey: id,
  createdAt,
  createdByDeployment: `made-${id}`,
  healthPath: '/health',
});

describe('janitor and a deployment starting while it removes', () => {
  it('does not remove an image a deployment recorded as its own after the janitor judged it', async () => {
    const store = new FakeReleaseStore();
    const configs = new FakeServiceConfigs();
    configs.set('web', webConfig());
    const discarded: string[] = [];
    const images = [
      image('ami-old', '2026-01-01T00:00:00Z'),
      ...['ami-n1', 'ami-n2', 'ami-n3'].map((id, n) => image(id, `2026-01-02T00:0${n}:00Z`)),
    ];
    const report = await runJanitor(
      {
        configs,
        store,
        clock: { now: () => new Date('2026-01-03T00:00:00Z') },
        traffic: { fleetsInUse: async () => [] },
        baker: {
          listImages: async () => images,
          discardImage: async (id) => void discarded.push(id),
        },
        fleets: {
          // No fleet runs (the leftover below is one a launch stopped half way): only the records keep images.
          imagesInUse: async () => [],
          // While the janitor removes a leftover fleet, a rollback to the old version starts and records its image.
          destroy: async () => {
            await store.createDeployment({
              deploymentId: 'rollback-1',
              service: 'web',
              environment: 'staging',
              trigger: 'rollback',
              version: 'ami-old',
              requestedBy: 'alice',
              requestedAt: '2026-01-03T00:00:00Z',
              status: 'in_progress',
              greenFleetId: 'fleet-rollback-1',
              imageId: 'ami-old',
              phases: { prepare: '2026-01-03T00:00:00Z' },
              warnings: [],
            });
          },
        },
      },
      {
        listFleets: async () => [
          {
            kind: 'fleet',
            id: 'fleet-leftover',
            service: 'web',
            environment: 'staging',
            deploymentId: 'gone',
          },
        ],
        listBuilders: async () => [],
        removeBuilder: async () => undefined,
      },
      'web',
      { dryRun: false },
    );
    expect(report.removed).toContainEqual({ kind: 'fleet', id: 'fleet-leftover' });
    expect(discarded).not.toContain('ami-old');
  });
});
