import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { endInterruptedDeployments } from '../../core/deployment/end-interrupted-deployments.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';

/**
 * After a restart, the deployments no execution runs are ended. The one holding the lock can be older than the
 * newest records read (an approval waited while later requests superseded each other): before its commit point
 * it must be compensated like any other, not left `in_progress` for ever with its lock simply released.
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
  phases: { prepare: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString() },
  warnings: [],
});

describe('ending interrupted deployments after a restart', () => {
  it('compensates the lock holder before its commit point however many records came after it', async () => {
    const store = new FakeReleaseStore();
    await store.createDeployment(record('holder', 0, 'in_progress'));
    await store.acquireLock({
      service: 'web',
      environment: 'prod',
      deploymentId: 'holder',
      requestedAt: '2026-01-01T00:00:00.000Z',
    });
    for (let n = 1; n <= 30; n++) await store.createDeployment(record(`later-${n}`, n, 'superseded'));
    const ended = await endInterruptedDeployments(
      {
        store,
        baker: { listImages: async () => [], discardImage: async () => undefined },
        clock: { now: () => new Date('2026-01-02T00:00:00Z') },
        isRunning: () => false,
      },
      'web',
      'prod',
    );
    expect(ended).toEqual(['holder']);
    expect((await store.getDeployment('holder'))?.status).toBe('rolled_back');
    expect(await store.lockHolder('web', 'prod')).toBeUndefined();
  });
});
