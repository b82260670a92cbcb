import { describe, expect, it } from 'vitest';
import { overrideFreeze, setFreeze } from '../../core/freezes/freeze-operations.js';
import { FakeWorld } from '../support/fake-world.js';

/** Change freezes over the real ASL and handlers (core/freezes/, PrepareDeployment). */
describe('freezes', () => {
  const freezeProd = (world: FakeWorld, fields: { service?: string; environment?: string } = {}) =>
    setFreeze(world.ports(), {
      environment: 'prod',
      ...fields,
      until: new Date(world.clock.now().getTime() + 86_400_000).toISOString(),
      reason: 'holiday sales',
      by: 'carol',
    });

  it('refuses a deployment during a freeze before any bake, naming the freeze, and leaves nothing', async () => {
    const world = new FakeWorld();
    await freezeProd(world, { service: 'web' });
    const { request, outcome, record } = await world.deploy({ version: '1.0.0', environment: 'prod' });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'Frozen' });
    expect(outcome.cause).toContain('web/prod is frozen: freeze of web/prod until');
    expect(outcome.cause).toContain('by carol: holiday sales');
    expect(world.calls.map((c) => c.stateName)).toEqual(['PrepareDeployment']);
    expect(record).toBeUndefined();
    expect(world.fleets.ids()).toEqual([]);
    expect(await world.store.lockHolder('web', 'prod')).toBeUndefined();
    expect(world.notifier.kinds(request.deploymentId)).toEqual([]);
    // Another environment is not frozen.
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
  });

  it('lets a version through that an approver overrode the freeze for, recorded with the approver and announced', async () => {
    const world = new FakeWorld();
    await freezeProd(world);
    const ports = world.ports();
    const asked = {
      service: 'web',
      environment: 'prod',
      version: '1.0.1',
      reason: 'hotfix',
      via: 'local-token',
    };
    await expect(overrideFreeze(ports, { ...asked, by: 'mallory' })).rejects.toThrow(
      'mallory may not override a freeze of web/prod (approvers: alice, bob)',
    );
    await overrideFreeze(ports, { ...asked, by: 'bob' });

    const { request, outcome, record } = await world.deploy({ version: '1.0.1', environment: 'prod' });
    expect(outcome.status).toBe('SUCCEEDED');
    expect((await world.store.getLiveRelease('web', 'prod'))?.deploymentId).toBe(request.deploymentId);
    expect(record?.freezeOverride).toMatchObject({ by: 'bob', via: 'local-token', reason: 'hotfix' });
    expect(record?.warnings.join('\n')).toContain('overridden by bob (local-token): hotfix');
    expect(world.notifier.kinds(request.deploymentId)).toContain('freeze_overridden');
    // The override is for that version only.
    expect((await world.deploy({ version: '1.0.2', environment: 'prod' })).outcome.error).toBe('Frozen');
  });

  it('lets a rollback pass a freeze', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    await world.deploy({ version: '2.0.0' });
    await freezeProd(world, { environment: '*' });
    const imageId = v1.record?.imageId ?? '';
    const rollback = await world.deploy({ version: '1.0.0', trigger: 'rollback', imageId });
    expect(rollback.outcome.status).toBe('SUCCEEDED');
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('1.0.0');
  });

  it('ends with its until: a deployment after it goes ahead', async () => {
    const world = new FakeWorld();
    await freezeProd(world, { environment: 'staging' });
    expect((await world.deploy({ version: '1.0.0' })).outcome.error).toBe('Frozen');
    world.clock.advance(86_401);
    expect((await world.deploy({ version: '1.0.1' })).outcome.status).toBe('SUCCEEDED');
  });
});
