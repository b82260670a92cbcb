import { describe, expect, it } from 'vitest';
import { liftFreeze, overrideFreeze, setFreeze } from '../../core/freezes/freeze-operations.js';
import { startPromotion } from '../../core/operations/start-promotion.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';

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

  it('only the listed approvers may override where approval is not required before traffic (onInconclusive: approval)', async () => {
    const world = new FakeWorld();
    const config = webConfig();
    const prod = { ...config.environments.prod, approval: { required: false, approvers: ['alice'] } };
    world.configs.set('web', { ...config, environments: { ...config.environments, prod } });
    await freezeProd(world);
    const asked = {
      service: 'web',
      environment: 'prod',
      version: '1.0.1',
      reason: 'hotfix',
      via: 'local-token',
    };
    await expect(overrideFreeze(world.ports(), { ...asked, by: 'mallory' })).rejects.toThrow(
      'mallory may not override a freeze of web/prod (approvers: alice)',
    );
    expect(await world.store.freezeOverrideOf('web', 'prod', '1.0.1')).toBeUndefined();
    await overrideFreeze(world.ports(), { ...asked, by: 'alice' });
    expect((await world.store.freezeOverrideOf('web', 'prod', '1.0.1'))?.by).toBe('alice');
  });

  it('ends a deployment waiting for the lock when a freeze is set, leaving the holder its lock', async () => {
    const world = new FakeWorld();
    await world.store.acquireLock({
      service: 'web',
      environment: 'staging',
      deploymentId: 'web-staging-holder',
      requestedAt: '2000-01-01T00:00:00.000Z',
    });
    // The freeze is set while the deployment waits for the lock: just after its record is written.
    const createDeployment = world.store.createDeployment.bind(world.store);
    world.store.createDeployment = async (record) => {
      const created = await createDeployment(record);
      await freezeProd(world, { environment: 'staging' });
      return created;
    };
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RefusedAfterWaiting' });
    expect(JSON.stringify(record?.failure)).toContain('Frozen: web/staging is frozen');
    expect(await world.store.lockHolder('web', 'staging')).toBe('web-staging-holder');
    expect(world.fleets.ids()).toEqual([]);
  });

  it('refuses a promotion into a frozen environment at once, starting nothing, naming the freeze', async () => {
    const world = new FakeWorld();
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    await freezeProd(world);
    const started: unknown[] = [];
    const starter = {
      start: async (request: unknown) => {
        started.push(request);
        return { started: true };
      },
    };
    const promotion = startPromotion(
      { store: world.store, health: world.health, configs: world.configs, clock: world.clock, starter },
      { service: 'web', from: 'staging', to: 'prod', requestedBy: 'dave' },
    );

    await expect(promotion).rejects.toThrow(/web\/prod is frozen: .*by carol: holiday sales/);
    expect(started).toEqual([]);
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

  it('an override passes only the freezes it was given for: the scope frozen again, or a new freeze, is refused', async () => {
    const world = new FakeWorld();
    const ports = world.ports();
    const hotfix = { service: 'web', environment: 'prod', reason: 'hotfix', by: 'bob', via: 'local-token' };
    await freezeProd(world);
    const override = await overrideFreeze(ports, { ...hotfix, version: '1.0.1' });
    expect(override).toMatchObject({
      by: 'bob',
      reason: 'hotfix',
      freezes: [{ service: '*', environment: 'prod' }],
    });

    // The same scope lifted and frozen again later: another freeze, which the old override does not pass.
    await liftFreeze(ports, { environment: 'prod', by: 'carol' });
    world.clock.advance(60);
    await freezeProd(world);
    const again = await world.deploy({ version: '1.0.1', environment: 'prod' });
    expect(again.outcome.error).toBe('Frozen');
    expect(again.outcome.cause).toContain('the override by bob');
    expect(again.outcome.cause).toContain('web/prod is frozen: freeze of every service/prod until');
    expect(again.record).toBeUndefined();

    // Overridden for the new freeze, then a second freeze over the service: the override does not pass it.
    await overrideFreeze(ports, { ...hotfix, version: '1.0.2' });
    await freezeProd(world, { service: 'web' });
    const newer = await world.deploy({ version: '1.0.2', environment: 'prod' });
    expect(newer.outcome.error).toBe('Frozen');
    expect(newer.outcome.cause).toContain('freeze of web/prod until');
    // Overridden for both: it goes ahead, recorded with its approver and the freezes it passed.
    await overrideFreeze(ports, { ...hotfix, version: '1.0.3' });
    const passed = await world.deploy({ version: '1.0.3', environment: 'prod' });
    expect(passed.outcome.status).toBe('SUCCEEDED');
    expect(passed.record?.freezeOverride?.freezes).toHaveLength(2);
    // Nothing to override where nothing is frozen.
    await expect(
      overrideFreeze(ports, { ...hotfix, environment: 'staging', version: '1.0.1' }),
    ).rejects.toThrow('web/staging is not frozen: there is no freeze to override');
  });

  it('a "rollback" to a release the environment never served is a deployment: refused during a freeze, naming it', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    await freezeProd(world, { environment: '*', service: '*' });
    const before = world.calls.length;
    const imageId = v1.record?.imageId ?? '';
    // Served in staging, never in prod.
    const elsewhere = await world.deploy({
      version: '1.0.0',
      environment: 'prod',
      trigger: 'rollback',
      imageId,
    });
    expect(elsewhere.outcome.error).toBe('Frozen');
    expect(elsewhere.outcome.cause).toContain('a rollback to 1.0.0 (image');
    expect(elsewhere.outcome.cause).toContain('is not a return to a release web/prod served before');
    expect(elsewhere.outcome.cause).toContain('web/prod is frozen: freeze of everything until');
    // Newer than the live one, never live: the same.
    const newer = await world.deploy({ version: '2.0.0', trigger: 'rollback', imageId });
    expect(newer.outcome.error).toBe('Frozen');
    expect(newer.record).toBeUndefined();
    expect(world.calls.slice(before).map((c) => c.stateName)).toEqual([
      'PrepareDeployment',
      'PrepareDeployment',
    ]);
    expect((await world.store.getLiveRelease('web', 'staging'))?.version).toBe('1.0.0');
  });

  it('fails closed, changing nothing, when a rollback-labelled execution names an image the environment never served', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    const before = world.calls.length;
    const forged = await world.deploy({ version: '1.0.0', trigger: 'rollback', imageId: 'ami-forged' });
    expect(forged.outcome).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(forged.outcome.cause).toContain('a rollback must return to a release web/staging served before');
    expect(forged.outcome.cause).toContain('image ami-forged');
    expect(world.calls.slice(before).map((c) => c.stateName)).toEqual(['PrepareDeployment']);
    expect(forged.record).toBeUndefined();
    expect(world.fleets.ids()).toEqual([v1.record?.greenFleetId]);
    expect((await world.store.getLiveRelease('web', 'staging'))?.deploymentId).toBe(v1.request.deploymentId);
    expect(await world.store.lockHolder('web', 'staging')).toBeUndefined();
    // A version it never served, with a real image: the same.
    const unknown = await world.deploy({
      version: '9.9.9',
      trigger: 'rollback',
      imageId: v1.record?.imageId ?? '',
    });
    expect(unknown.outcome.error).toBe('InvalidInput');
  });
});
