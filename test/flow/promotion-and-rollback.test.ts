import { describe, expect, it } from 'vitest';
import { Refused } from '../../core/errors.js';
import type { ServiceStatus } from '../../core/operations/operations.js';
import { readStatus } from '../../core/operations/read-status.js';
import { planPromotion } from '../../core/releases/plan-promotion.js';
import { planRollback } from '../../core/releases/plan-rollback.js';
import { FakeWorld } from '../support/fake-world.js';

describe('promotion', () => {
  it('deploys exactly the image live in the source environment, without a bake, with the target’s own settings', async () => {
    const world = new FakeWorld();
    const staging = await world.deploy({ version: '1.0.0' });
    const bakes = world.baker.bakes.size;
    const request = await planPromotion(world.ports(), {
      service: 'web',
      from: 'staging',
      to: 'prod',
      requestedBy: 'ann',
    });
    const outcome = await world.start(request).outcome;

    expect(outcome.status).toBe('SUCCEEDED');
    const prod = await world.store.getLiveRelease('web', 'prod');
    expect(prod?.imageId).toBe(staging.record?.imageId);
    expect(world.baker.bakes.size).toBe(bakes);
    expect(prod?.capacity).toEqual({ min: 2, desired: 3, max: 6 });
    expect((await world.store.getDeployment(request.deploymentId))?.approvedBy).toBe('alice');
  });

  it('is refused, with the reason, when the source has no live release or it is not healthy', async () => {
    const world = new FakeWorld();
    await expect(
      planPromotion(world.ports(), { service: 'web', from: 'staging', to: 'prod', requestedBy: 'ann' }),
    ).rejects.toThrow(new Refused('web/staging has no live release to promote'));
    await world.deploy({ version: '1.0.0' });
    world.health.brokenVersions.add('1.0.0');
    await expect(
      planPromotion(world.ports(), { service: 'web', from: 'staging', to: 'prod', requestedBy: 'ann' }),
    ).rejects.toThrow(/web\/staging 1.0.0 is not healthy \(0\/2 healthy/);
    await expect(
      planPromotion(world.ports(), { service: 'web', from: 'staging', to: 'qa', requestedBy: 'ann' }),
    ).rejects.toThrow('no such environment');
  });
});

/** web/staging's status as `bakeshift status` reads it, the weights from the fake load balancer. */
async function statusOf(world: FakeWorld): Promise<ServiceStatus | undefined> {
  const status = await readStatus({
    configs: Object.assign(world.configs, { services: async () => ['web'] }),
    store: world.store,
    serving: {
      endpoints: async () => undefined,
      instanceCount: async () => 2,
      traffic: async (service, environment) =>
        Object.entries(world.traffic.weightsOf(service, environment)).map(([fleetId, percent]) => ({
          fleetId,
          percent,
        })),
      congruenceSchedules: () => [],
    },
  });
  return status.services.find((s) => s.environment === 'staging');
}

describe('rollback', () => {
  it('while blue is warm, is a traffic shift back to the version it names: the deployment stops and no fleet is launched', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    world.advanceOnCall.WatchGreen = 1;
    const execution = world.start(world.request({ version: '2.0.0' }));
    let plan: Awaited<ReturnType<typeof planRollback>> | undefined;
    let statusWhileWarm: ServiceStatus | undefined;
    let launchesWhenRequested = 0;
    execution.onEvent((event) => {
      if (event.type === 'StateRetried' && event.state.name === 'WatchGreen' && !plan) {
        launchesWhenRequested = world.fleets.launches;
        plan = { kind: 'traffic-shift', deploymentId: 'pending' };
        void statusOf(world)
          .then((status) => {
            statusWhileWarm = status;
            return planRollback(world.ports(), {
              service: 'web',
              environment: 'staging',
              requestedBy: 'ann',
            });
          })
          .then((p) => {
            plan = p;
          });
      }
    });
    const outcome = await execution.outcome;

    // "Live" is what takes the traffic: green has all of it while blue is kept warm.
    expect(statusWhileWarm).toMatchObject({ live: { version: '2.0.0' }, keptWarm: { version: '1.0.0' } });
    expect(plan).toEqual({ kind: 'traffic-shift', deploymentId: execution.name, version: '1.0.0' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RollbackRequested' });
    expect(world.traffic.weightsOf('web', 'staging')).toEqual({ [v1.request.deploymentId]: 100 });
    expect(world.fleets.launches).toBe(launchesWhenRequested);
    expect(world.fleets.ids()).toEqual([v1.request.deploymentId]);
  });

  it('after the window, deploys the earlier release’s retained image by blue/green, without a bake', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    await world.deploy({ version: '2.0.0' });
    const bakes = world.baker.bakes.size;
    const plan = await planRollback(world.ports(), {
      service: 'web',
      environment: 'staging',
      requestedBy: 'ann',
    });
    if (plan.kind !== 'redeploy') throw new Error('expected a redeploy');
    expect(plan.target).toEqual({ version: '1.0.0', imageId: v1.record?.imageId });
    expect((await world.start(plan.request).outcome).status).toBe('SUCCEEDED');
    expect((await world.store.getLiveRelease('web', 'staging'))?.imageId).toBe(v1.record?.imageId);
    expect(world.baker.bakes.size).toBe(bakes);
  });

  it('to a named version, or refused when there is none', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    await world.deploy({ version: '2.0.0' });
    await world.deploy({ version: '3.0.0' });
    const plan = await planRollback(world.ports(), {
      service: 'web',
      environment: 'staging',
      toVersion: '1.0.0',
      requestedBy: 'ann',
    });
    expect(plan.kind === 'redeploy' && plan.target.version).toBe('1.0.0');
    await expect(
      planRollback(world.ports(), { service: 'web', environment: 'prod', requestedBy: 'ann' }),
    ).rejects.toThrow('web/prod has no earlier release to roll back to');
  });
});
