import { describe, expect, it } from 'vitest';
import { FakeWorld } from '../support/fake-world.js';
import { environmentState, expectCommitted, expectCompensated } from '../support/invariants.js';

/** The real ASL run by the local engine, with the real handlers over stateful fakes of every port. */
describe('deployment flows', () => {
  it('first deployment: bakes, launches, sends all traffic to green, records it live', async () => {
    const world = new FakeWorld();
    const { request, outcome, record, execution } = await world.deploy({ version: '1.0.0' });

    expect(outcome.status).toBe('SUCCEEDED');
    await expectCommitted(world, request);
    expect(record?.imageReused).toBe(false);
    expect(world.fleets.fleets.get(request.deploymentId)?.capacity).toEqual({ min: 1, desired: 2, max: 4 });
    expect(world.statesEntered(execution)).not.toContain('DrainBlue');
    expect(world.notifier.kinds(request.deploymentId)).toEqual(['started', 'traffic_shifted', 'succeeded']);
  });

  it('blue/green: green takes all traffic after blue was kept warm, then blue is drained and reaped', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome.status).toBe('SUCCEEDED');
    await expectCommitted(world, v2.request);
    expect(world.fleets.ids()).toEqual([v2.request.deploymentId]);
    expect(world.traffic.draining.has(v1.request.deploymentId)).toBe(true);
    expect(v2.record?.blue?.version).toBe('1.0.0');
    const entered = world.statesEntered(v2.execution);
    expect(entered.indexOf('WatchGreen')).toBeLessThan(entered.indexOf('DrainBlue'));
    expect(entered.indexOf('DrainBlue')).toBeLessThan(entered.indexOf('ReapBlue'));
    expect(Object.keys(v2.record?.phases ?? {})).toEqual(
      expect.arrayContaining([
        'prepare',
        'bake',
        'launch',
        'health',
        'shift',
        'warm',
        'commit',
        'reap',
        'prune',
      ]),
    );
  });

  it('sizes green from blue’s current desired capacity when blue has scaled out, and never changes blue', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    const blueFleet = world.fleets.fleets.get(v1.request.deploymentId);
    if (!blueFleet) throw new Error('blue fleet missing');
    // Blue scaled out after its release was recorded: only the fleet knows.
    blueFleet.capacity = { min: 1, desired: 4, max: 4 };
    world.health.brokenVersions.add('2.0.0');

    const v2 = await world.deploy({ version: '2.0.0' });
    expect(v2.outcome.status).toBe('FAILED');
    expect(world.fleets.fleets.get(v1.request.deploymentId)?.capacity).toEqual({
      min: 1,
      desired: 4,
      max: 4,
    });
    const v3 = await world.deploy({ version: '3.0.0' });
    expect(v3.outcome.status).toBe('SUCCEEDED');
    expect(world.fleets.fleets.get(v3.request.deploymentId)?.capacity.desired).toBe(4);
  });

  it('weighted steps with approval: shifts 10% → 50% → 100%, checking green after each hold', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0', environment: 'prod' });
    const weightsSeen: Record<string, number>[] = [];
    const v2request = world.request({ version: '2.0.0', environment: 'prod' });
    const execution = world.start(v2request);
    execution.onEvent((event) => {
      if (event.type === 'StateExited' && event.state.name === 'ShiftTraffic') {
        weightsSeen.push(world.traffic.weightsOf('web', 'prod'));
      }
    });
    const outcome = await execution.outcome;

    expect(outcome.status).toBe('SUCCEEDED');
    const green = v2request.deploymentId;
    expect(weightsSeen.map((w) => w[green])).toEqual([10, 50, 100]);
    expect(world.statesEntered(execution).filter((s) => s === 'CheckGreenAtWeight')).toHaveLength(2);
    expect((await world.store.getDeployment(green))?.phases.approval).toBeDefined();
    const [asked] = world.approvals.asked.filter((a) => a.deploymentId === green);
    expect(asked?.context.previewUrl).toBe('http://preview.web.prod.test');
    expect(asked).not.toHaveProperty('taskToken');
    expect(world.approvals.outcomes.map((o) => [o.status, o.decidedBy])).toContainEqual([
      'approved',
      'alice',
    ]);
    await expectCommitted(world, v2request);
  });

  it('a first weighted deployment announces what it serves: 100 %, with no blue to share traffic with', async () => {
    const world = new FakeWorld();
    const first = await world.deploy({ version: '1.0.0', environment: 'prod' });
    const shifted = world.notifier.events.filter(
      (e) => e.deploymentId === first.request.deploymentId && e.kind === 'traffic_shifted',
    );
    expect(shifted.map((e) => e.detail)).toEqual(['100% to 1.0.0']);
    expect(world.traffic.weightsOf('web', 'prod')).toEqual({ [first.request.deploymentId]: 100 });
  });

  it('approval rejected: nothing shifts, green is removed, the record says who rejected', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0', environment: 'prod' });
    const before = await environmentState(world, 'web', 'prod');
    world.approvals.answer = { approve: false, by: 'bob' };
    const v2 = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
    expect(v2.record?.failure?.cause).toBe('rejected by bob');
    expect(world.statesEntered(v2.execution)).not.toContain('ShiftTraffic');
    await expectCompensated(world, v2.request, before, 'RequestApproval');
    expect(v1.outcome.status).toBe('SUCCEEDED');
  });

  it('approval timed out: the ticket is closed, a late click changes nothing, blue keeps serving', async () => {
    const world = new FakeWorld({ timing: { callbackTimeoutMs: 30 } });
    await world.deploy({ version: '1.0.0', environment: 'prod' });
    const before = await environmentState(world, 'web', 'prod');
    world.approvals.answer = 'no-answer';
    // Each wait that times out stood for the whole approval timeout.
    world.advanceOnCall.RequestApproval = 3600;
    const v2 = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'ApprovalTimedOut' });
    await expectCompensated(world, v2.request, before, 'RequestApproval');
    const ticket = await world.store.approvalOf(v2.request.deploymentId);
    expect(ticket?.status).toBe('expired');
    const late = await world.approvals.decide(ticket?.approvalId ?? '', true, 'alice');
    expect(late).toEqual({ outcome: 'already_decided', status: 'expired' });
    expect(world.approvals.outcomes.at(-1)?.status).toBe('expired');
  });

  it('a green that never becomes healthy is rolled back before any traffic moves', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    const before = await environmentState(world, 'web', 'staging');
    world.health.brokenVersions.add('2.0.0');
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'HealthCheckFailed' });
    expect(v2.record?.failure?.cause).toContain('0/2 healthy');
    expect(world.statesEntered(v2.execution)).not.toContain('ShiftTraffic');
    await expectCompensated(world, v2.request, before, 'AwaitGreenHealthy');
  });

  it('a green whose instances keep exiting fails at its first health check, with how they exited in the cause', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    const before = await environmentState(world, 'web', 'staging');
    world.health.checksUntilHealthy = 1_000;
    world.diagnostics.crashingVersions.add('2.0.0');
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'HealthCheckFailed' });
    expect(v2.record?.failure?.cause).toMatch(
      /^green cannot become healthy: its instances keep exiting\n {2}health check: GET \/health, expected 200\n {2}\S+ exited \(exit code 1\); its last output:\n {4}Error: cannot start$/,
    );
    // At once: the first check, not after the deadline's retries.
    expect(world.statesEntered(v2.execution).filter((s) => s === 'AwaitGreenHealthy')).toHaveLength(1);
    await expectCompensated(world, v2.request, before, 'AwaitGreenHealthy');
  });

  it('a green that fails while blue is warm sends traffic back to the intact blue', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    const before = await environmentState(world, 'web', 'staging');
    world.health.failAfterChecks.set('2.0.0', 3);
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'HealthCheckFailed' });
    expect(world.statesEntered(v2.execution)).toContain('ShiftTraffic');
    await expectCompensated(world, v2.request, before, 'WatchGreen');
  });

  it('a failed bake leaves no image and keeps blue serving; its cause is recorded', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    const before = await environmentState(world, 'web', 'staging');
    world.baker.behaviour = 'fail';
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'BakeFailed' });
    expect(v2.record?.failure?.cause).toContain('npm ci failed');
    await expectCompensated(world, v2.request, before, 'BakeImage');
  });

  it('reuses an image whose bake key already exists instead of baking again', async () => {
    const world = new FakeWorld();
    const staging = await world.deploy({ version: '1.0.0' });
    const prod = await world.deploy({ version: '1.0.0', environment: 'prod' });

    expect(prod.outcome.status).toBe('SUCCEEDED');
    expect(world.baker.bakes.size).toBe(1);
    expect(prod.record?.imageReused).toBe(true);
    expect(prod.record?.imageId).toBe(staging.record?.imageId);
  });

  it('a new base image changes the bake key, so the same artifact is baked afresh', async () => {
    const world = new FakeWorld();
    const first = await world.deploy({ version: '1.0.0' });
    world.baker.baseImageVersion = 'v2';
    const rebuilt = await world.deploy({ version: '1.0.0', trigger: 'congruence' });

    expect(rebuilt.outcome.status).toBe('SUCCEEDED');
    expect(rebuilt.record?.imageReused).toBe(false);
    expect(rebuilt.record?.bakeKey).not.toBe(first.record?.bakeKey);
  });

  it.each(['rollback', 'promote'] as const)(
    'a %s deploys an existing image without a bake',
    async (trigger) => {
      const world = new FakeWorld();
      const v1 = await world.deploy({ version: '1.0.0' });
      await world.deploy({ version: '2.0.0' });
      const imageId = v1.record?.imageId ?? '';
      const bakesBefore = world.baker.bakes.size;

      const back = await world.deploy({ version: '1.0.0', trigger, imageId });
      expect(back.outcome.status).toBe('SUCCEEDED');
      expect(world.statesEntered(back.execution)).not.toContain('BakeImage');
      expect(world.baker.bakes.size).toBe(bakesBefore);
      expect((await world.store.getLiveRelease('web', 'staging'))?.imageId).toBe(imageId);
    },
  );

  it('prunes images beyond retention but never one that is live or in the rollback window', async () => {
    const world = new FakeWorld();
    for (const version of ['1.0.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0']) {
      expect((await world.deploy({ version })).outcome.status).toBe('SUCCEEDED');
    }
    const kept = [...world.baker.images.values()].map((i) => i.version).sort();
    expect(kept).toEqual(['3.0.0', '4.0.0', '5.0.0']);
  });

  it('never prunes an older image that is live elsewhere, nor the release before the live one (the rollback window)', async () => {
    const world = new FakeWorld();
    // 1.0.0 goes live in prod and stays there while staging moves on: the oldest image, and live.
    expect((await world.deploy({ version: '1.0.0', environment: 'prod' })).outcome.status).toBe('SUCCEEDED');
    for (const version of ['2.0.0', '3.0.0', '4.0.0', '5.0.0', '6.0.0']) {
      expect((await world.deploy({ version })).outcome.status).toBe('SUCCEEDED');
    }
    const kept = [...world.baker.images.values()].map((i) => i.version).sort();
    expect(kept).toContain('1.0.0');
    expect(kept).toContain('5.0.0');
    expect(kept).not.toContain('2.0.0');
    expect(kept).not.toContain('3.0.0');
  });

  it.each([
    ['that it baked', false],
    ["that it adopted from staging's bake", true],
  ])(
    "never prunes an image another environment's first deployment in flight runs, %s (no live release there yet)",
    async (_how, adopted) => {
      const world = new FakeWorld();
      if (adopted) expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
      // prod's first deployment launches green and waits for its approval: prod has no live release.
      world.approvals.answer = 'no-answer';
      const prod = world.request({ version: '1.0.0', environment: 'prod' });
      const prodRun = world.start(prod);
      for (
        let i = 0;
        i < 200 && !world.approvals.asked.some((a) => a.deploymentId === prod.deploymentId);
        i++
      )
        await new Promise((resolve) => setTimeout(resolve, 10));
      const asked = world.approvals.asked.find((a) => a.deploymentId === prod.deploymentId);
      expect(asked).toBeDefined();
      const prodRecord = await world.store.getDeployment(prod.deploymentId);
      const prodImage = prodRecord?.imageId;
      expect(prodImage).toBeDefined();
      expect(prodRecord?.imageReused).toBe(adopted);
      world.approvals.answer = { approve: true, by: 'alice' };
      // Meanwhile staging moves on past the retained count: each of its PruneImages judges every image.
      for (const version of ['2.0.0', '3.0.0', '4.0.0', '5.0.0', '6.0.0'])
        expect((await world.deploy({ version })).outcome.status).toBe('SUCCEEDED');
      expect(world.baker.images.has(prodImage ?? '')).toBe(true);
      await world.approvals.decide(asked?.approvalId ?? '', true, 'alice');
      expect((await prodRun.outcome).status).toBe('SUCCEEDED');
    },
  );

  it('invalid input is rejected with the field named, and nothing is recorded or locked', async () => {
    const world = new FakeWorld();
    const request = { ...world.request({ version: '1.0.0' }), trigger: 'sideways' };
    const outcome = await world.engine.start(request.deploymentId, request).outcome;

    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toContain('trigger');
    expect(world.fleets.fleets.size).toBe(0);
    expect(await world.store.lockHolder('web', 'staging')).toBeUndefined();
  });

  it('a configuration error names the file, field and reason, and changes nothing live', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    const before = await environmentState(world, 'web', 'staging');
    const config = structuredClone((await import('../support/fake-world.js')).webConfig());
    config.environments.staging.capacity = { min: 3, desired: 2, max: 4 };
    world.configs.set('web', config);
    const v2 = await world.deploy({ version: '2.0.0' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'ConfigInvalid' });
    expect(v2.record?.failure?.cause).toBe(
      'services/web.json: environments.staging.capacity: must satisfy min <= desired <= max',
    );
    await expectCompensated(world, v2.request, before, 'PrepareDeployment');
  });

  it('a notifier that is down never fails a deployment; the miss is a cleanup warning', async () => {
    const world = new FakeWorld();
    world.notifier.failing = true;
    const v1 = await world.deploy({ version: '1.0.0' });
    expect(v1.outcome.status).toBe('SUCCEEDED');
    await expectCommitted(world, v1.request, { warning: 'AnnounceSuccess', announced: false });
  });
});
