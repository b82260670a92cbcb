import { expect } from 'vitest';
import type { FakeWorld } from './fake-world.js';

/**
 * Everything a deployment of one service+environment can change, as whole sets: the listener's rules with
 * their 0 % entries, what the preview listener reaches, the environment's fleets with their specs, every image,
 * the live release. Taken before a deployment and compared whole after it.
 */
export async function environmentState(world: FakeWorld, service: string, environment: string) {
  const ofEnvironment = (fleetId: string) => fleetId.startsWith(`${service}-${environment}-`);
  return {
    routes: structuredClone(world.traffic.routes.get(`${service}/${environment}`) ?? []),
    previewReaches: world.traffic.previewReaches(service, environment),
    fleets: Object.fromEntries(
      [...world.fleets.fleets]
        .filter(([id]) => ofEnvironment(id))
        .map(([id, spec]) => [id, structuredClone(spec)]),
    ),
    images: [...world.baker.images.keys()].sort(),
    live: await world.store.getLiveRelease(service, environment),
  };
}
export type EnvironmentState = Awaited<ReturnType<typeof environmentState>>;

/**
 * What a compensated deployment must leave: everything as before (the preview listener at most reaching nothing
 * now, as green is gone), no bake in flight, no lock, no waiting task token, a record that names the failed
 * step, and one rollback announcement.
 */
export async function expectCompensated(
  world: FakeWorld,
  deployment: { deploymentId: string; service: string; environment: string },
  before: EnvironmentState,
  failedStep: string,
) {
  const { deploymentId, service, environment } = deployment;
  const after = await environmentState(world, service, environment);
  expect(after).toEqual({
    ...before,
    previewReaches: after.previewReaches === undefined ? undefined : before.previewReaches,
  });
  expect(world.baker.inFlight()).toEqual([]);
  expect(await world.store.lockHolder(service, environment)).toBeUndefined();
  expect(world.tokens.pendingCount).toBe(0);
  const record = await world.store.getDeployment(deploymentId);
  expect(record?.status).toBe('rolled_back');
  expect(record?.failure?.step).toBe(failedStep);
  expect(world.notifier.kinds(deploymentId).filter((kind) => kind === 'rolled_back')).toEqual([
    'rolled_back',
  ]);
}

/** What a committed deployment's run left besides the usual, when a step after the commit point failed. */
export interface CommitExpectations {
  /** The step whose failure the record's one warning names. */
  warning?: string;
  /** Blue's fleet, when a failed drain or reap left it in place (the janitor reaps it later). */
  keptBlue?: string;
  /** Whether the success was announced (once): not when announcing failed before sending. */
  announced?: boolean;
  /** The verdicts in doubt an approver accepted (ADR 50), as the record's warnings say, in order. */
  doubtsAccepted?: string[];
}

/**
 * What a deployment that passed its commit point must leave, whatever failed after it: all traffic on green
 * (the listener's whole rule set), the preview on green, green the environment's only fleet (and blue where
 * expected), green's image kept, no lock, no waiting token, the record succeeded with exactly the expected
 * warning, the success announced once.
 */
export async function expectCommitted(
  world: FakeWorld,
  deployment: { deploymentId: string; service: string; environment: string },
  { warning, keptBlue, announced = true, doubtsAccepted = [] }: CommitExpectations = {},
) {
  const { deploymentId, service, environment } = deployment;
  const after = await environmentState(world, service, environment);
  expect(after.routes).toEqual([{ fleetId: deploymentId, percent: 100 }]);
  expect(after.previewReaches).toBe(deploymentId);
  expect(Object.keys(after.fleets).sort()).toEqual([deploymentId, ...(keptBlue ? [keptBlue] : [])].sort());
  expect(after.live?.deploymentId).toBe(deploymentId);
  expect(after.images).toContain(after.live?.imageId);
  expect(await world.store.lockHolder(service, environment)).toBeUndefined();
  expect(world.tokens.pendingCount).toBe(0);
  const record = await world.store.getDeployment(deploymentId);
  expect(record?.status).toBe('succeeded');
  expect(record?.warnings).toEqual([
    ...doubtsAccepted,
    ...(warning ? [expect.stringContaining(`${warning} failed`)] : []),
  ]);
  expect(world.notifier.kinds(deploymentId).filter((kind) => kind === 'succeeded')).toEqual(
    announced ? ['succeeded'] : [],
  );
}
