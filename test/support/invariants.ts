import { expect } from 'vitest';
import type { Release } from '../../core/deployment/deployment-record.js';
import type { FakeWorld } from './fake-world.js';

/**
 * What a compensated deployment must leave: routing and the live release as before (or nothing for a first
 * deployment), no green fleet, no bake in flight, no image of its own, no lock, no waiting task token, and a
 * record that names the failed step.
 */
export async function expectCompensated(
  world: FakeWorld,
  deployment: { deploymentId: string; service: string; environment: string },
  blue: Release | undefined,
  failedStep: string,
) {
  const { deploymentId, service, environment } = deployment;
  expect(world.traffic.weightsOf(service, environment)).toEqual(blue ? { [blue.fleetId]: 100 } : {});
  expect(await world.store.getLiveRelease(service, environment)).toEqual(blue);
  expect(world.fleets.fleets.has(deploymentId)).toBe(false);
  if (blue) expect(world.fleets.fleets.get(blue.fleetId)?.capacity).toEqual(blue.capacity);
  expect(world.baker.inFlight()).toEqual([]);
  expect([...world.baker.images.values()].filter((i) => i.createdByDeployment === deploymentId)).toEqual([]);
  expect(await world.store.lockHolder(service, environment)).toBeUndefined();
  expect(world.tokens.pendingCount).toBe(0);
  const record = await world.store.getDeployment(deploymentId);
  expect(record?.status).toBe('rolled_back');
  expect(record?.failure?.step).toBe(failedStep);
  expect(world.notifier.kinds(deploymentId)).toContain('rolled_back');
}

/** What a deployment that passed its commit point must leave, whatever failed after it. */
export async function expectCommitted(
  world: FakeWorld,
  deployment: { deploymentId: string; service: string; environment: string },
  warningStep?: string,
) {
  const { deploymentId, service, environment } = deployment;
  expect(world.traffic.weightsOf(service, environment)).toEqual({ [deploymentId]: 100 });
  expect((await world.store.getLiveRelease(service, environment))?.deploymentId).toBe(deploymentId);
  expect(await world.store.lockHolder(service, environment)).toBeUndefined();
  expect(world.tokens.pendingCount).toBe(0);
  const record = await world.store.getDeployment(deploymentId);
  expect(record?.status).toBe('succeeded');
  if (warningStep) {
    expect(record?.warnings.join('\n')).toContain(`${warningStep} failed`);
  } else {
    expect(record?.warnings).toEqual([]);
  }
}
