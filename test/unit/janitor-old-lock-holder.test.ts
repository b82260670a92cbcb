import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import {
  gatherGarbageContext,
  judgeResources,
  type OwnedResource,
} from '../../core/releases/select-garbage.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';

/**
 * The janitor reads each environment's 50 newest deployment records. A deployment that holds the lock longer
 * than 50 later requests take (an approval waiting days while CI keeps pushing: each newer waiting request
 * supersedes the one before and leaves a record) falls out of that window; it is still running, and its
 * green fleet and image must be kept whatever its age.
 */
const record = (id: string, minute: number, status: DeploymentRecord['status']): DeploymentRecord => ({
  deploymentId: id,
  service: 'web',
  environment: 'prod',
  trigger: 'artifact',
  version: `v-${id}`,
  requestedBy: 'ci',
  requestedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  status,
  greenFleetId: `fleet-${id}`,
  imageId: `img-${id}`,
  phases: {
    prepare: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    approval: '2026-01-01T00:05:00Z',
  },
  warnings: [],
});

describe('janitor and a lock holder older than the records it reads', () => {
  it('keeps the green fleet and image of the deployment holding the lock, however many requests came after it', async () => {
    const store = new FakeReleaseStore();
    await store.createDeployment(record('holder', 0, 'in_progress'));
    await store.acquireLock({
      service: 'web',
      environment: 'prod',
      deploymentId: 'holder',
      requestedAt: '2026-01-01T00:00:00.000Z',
    });
    for (let n = 1; n <= 60; n++) await store.createDeployment(record(`later-${n}`, n, 'superseded'));
    const now = new Date('2026-01-02T00:00:00Z');
    const context = await gatherGarbageContext(
      store,
      'web',
      ['prod'],
      { retainImages: 0, bakeDeadlineSeconds: 3600, drainSeconds: { prod: 60 } },
      now,
    );
    const resources: OwnedResource[] = [
      { kind: 'fleet', id: 'fleet-holder', service: 'web', environment: 'prod', deploymentId: 'holder' },
      {
        kind: 'image',
        id: 'img-holder',
        service: 'web',
        createdAt: '2026-01-01T00:01:00Z',
        deploymentId: 'holder',
      },
    ];
    // Green waits for approval at weight 0: no listener routes to it yet.
    const verdicts = judgeResources(resources, { ...context, routing: { read: true, inUse: [] } });
    expect(verdicts.map((v) => [v.resource.id, v.keptBecause.length > 0])).toEqual([
      ['fleet-holder', true],
      ['img-holder', true],
    ]);
  });
});
