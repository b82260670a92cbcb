import { describe, expect, it } from 'vitest';
import type { JanitorReport } from '../../core/releases/run-janitor.js';
import { runFakeJanitor } from '../support/fake-janitor.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';

/**
 * The janitor between and during real flows over the fakes (ADR 32): it removes nothing a listener routes to,
 * nothing being drained, and no fleet at all when the load balancer cannot be read.
 */
describe('the janitor and what serves', () => {
  it('keeps green, and its image, when RestoreTraffic failed for good and green still serves 100%', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RestoreTraffic', when: 'before' },
    );
    const v2 = await world.deploy({ version: '2.0.0' });
    expect(v2.outcome.status).toBe('FAILED');
    expect(v2.record?.status).toBe('rolled_back');
    const green = v2.request.deploymentId;
    expect(world.traffic.weightsOf('web', 'staging')).toEqual({ [green]: 100 });

    const dryRun = await runFakeJanitor(world, { dryRun: true });
    expect(dryRun.kept).toContainEqual({
      kind: 'fleet',
      id: green,
      why: expect.arrayContaining([expect.stringMatching(/^listener: web\/staging 100%/)]),
    });
    const report = await runFakeJanitor(world);

    expect(report.removed.map((r) => r.id)).not.toContain(green);
    expect(world.fleets.fleets.has(green)).toBe(true);
    expect(world.traffic.weightsOf('web', 'staging')).toEqual({ [green]: 100 });
    expect(world.baker.images.has(v2.record?.imageId ?? '')).toBe(true);
    // Blue is still the live release by the records: kept as well.
    expect(world.fleets.fleets.has(v1.request.deploymentId)).toBe(true);
  });

  it('keeps the image a kept fleet runs, read from the fleet, when its deployment record is lost', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RestoreTraffic', when: 'before' },
    );
    const v2 = await world.deploy({ version: '2.0.0' });
    world.faults.length = 0;
    const green = v2.request.deploymentId;
    const greenImage = v2.record?.imageId ?? '';
    expect(world.traffic.weightsOf('web', 'staging')).toEqual({ [green]: 100 });
    // The record is lost, and newer images push green's out of the newest kept.
    world.store.deployments.delete(green);
    const image = world.baker.images.get(greenImage);
    if (!image) throw new Error('green has no image');
    for (const n of [1, 2, 3, 4, 5, 6])
      world.baker.images.set(`image-newer-${n}`, {
        ...image,
        imageId: `image-newer-${n}`,
        createdAt: new Date(Date.parse(image.createdAt) + n * 60_000).toISOString(),
        createdByDeployment: `web-staging-other-${n}`,
      });

    const report = await runFakeJanitor(world);
    expect(world.fleets.fleets.has(green)).toBe(true);
    expect(report.kept).toContainEqual({
      kind: 'image',
      id: greenImage,
      why: ['run by a fleet in service', `runs fleet ${green}, which is kept`],
    });
    expect(world.baker.images.has(greenImage)).toBe(true);
  });

  it.each(['DrainBlue', 'WaitForBlueDrain'])(
    'leaves blue to the deployment draining it, when it runs during %s',
    async (state) => {
      // The drain's wait stands for the deregistration delay: long enough for the janitor to end within it.
      const world = new FakeWorld({ timing: { waitMs: { WaitForBlueDrain: 300 } } });
      const v1 = await world.deploy({ version: '1.0.0' });
      const blue = v1.request.deploymentId;
      const execution = world.start(world.request({ version: '2.0.0' }));
      const order: string[] = [];
      let janitor: Promise<JanitorReport> | undefined;
      let blueAfterJanitor: boolean | undefined;
      execution.onEvent((event) => {
        if (event.type !== 'StateEntered') return;
        if (event.state.name === state && !janitor)
          janitor = runFakeJanitor(world).then((report) => {
            blueAfterJanitor = world.fleets.fleets.has(blue);
            order.push('janitor ended');
            return report;
          });
        if (event.state.name === 'ReapBlue') order.push('ReapBlue');
      });
      const outcome = await execution.outcome;
      const report = await janitor;

      expect(outcome.status).toBe('SUCCEEDED');
      expect(order).toEqual(['janitor ended', 'ReapBlue']);
      expect(report?.removed).toEqual([]);
      expect(blueAfterJanitor).toBe(true);
      expect(report?.kept).toContainEqual({
        kind: 'fleet',
        id: blue,
        // Committed, the deployment is `succeeded`: its lock says its flow has not ended.
        why: expect.arrayContaining([
          expect.stringMatching(/^blue of deployment .*, which still holds the staging lock$/),
        ]),
      });
      // ReapBlue then did its own work.
      expect(world.fleets.fleets.has(blue)).toBe(false);
    },
  );

  it('keeps a fleet serving in an environment dropped from configuration, and its image, through PruneImages and the janitor', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RestoreTraffic', when: 'before' },
    );
    const v2 = await world.deploy({ version: '2.0.0' });
    world.faults.length = 0;
    const green = v2.request.deploymentId;
    const greenImage = v2.record?.imageId ?? '';
    expect(v2.record?.status).toBe('rolled_back');
    expect(world.traffic.weightsOf('web', 'staging')).toEqual({ [green]: 100 });
    // staging leaves the configuration while green still serves it; prod moves on past the retained count.
    const { staging: _dropped, ...others } = webConfig().environments;
    world.configs.set('web', { ...webConfig(), environments: others });
    for (const version of ['3.0.0', '4.0.0', '5.0.0', '6.0.0'])
      expect((await world.deploy({ version, environment: 'prod' })).outcome.status).toBe('SUCCEEDED');
    expect(world.baker.images.has(greenImage)).toBe(true);

    const report = await runFakeJanitor(world);
    expect(report.removed.map((r) => r.id)).not.toContain(green);
    expect(report.removed.map((r) => r.id)).not.toContain(greenImage);
    expect(world.fleets.fleets.has(green)).toBe(true);
    expect(world.baker.images.has(greenImage)).toBe(true);
    expect(world.traffic.weightsOf('web', 'staging')).toEqual({ [green]: 100 });
  });

  it('ReapBlue leaves blue to the listener that still routes to it (shifted by hand during the drain), saying why', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    const blue = v1.request.deploymentId;
    const request = world.request({ version: '2.0.0' });
    const green = request.deploymentId;
    const execution = world.start(request);
    const staging = { service: 'web', environment: 'staging' };
    let byHand: Record<string, number> | undefined;
    execution.onEvent((event) => {
      if (event.type !== 'StateEntered' || event.state.name !== 'WaitForBlueDrain') return;
      void world.traffic
        .shift(staging, [
          { fleetId: green, percent: 90 },
          { fleetId: blue, percent: 10 },
        ])
        .then(() => {
          byHand = world.traffic.weightsOf('web', 'staging');
        });
    });
    const outcome = await execution.outcome;
    expect(outcome.status).toBe('SUCCEEDED');
    expect(byHand).toEqual({ [green]: 90, [blue]: 10 });
    expect(world.fleets.fleets.has(blue)).toBe(true);
    expect(world.traffic.weightsOf('web', 'staging')).toEqual(byHand);
    const record = await world.store.getDeployment(green);
    expect(record?.warnings.join('\n')).toContain(
      `fleet ${blue} takes 10% of the web/staging listener; not destroying it`,
    );
  });

  it('removes no fleet while the load balancer cannot be read, and says why', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    world.faults.push({ stateName: 'ReapBlue', when: 'before' });
    await world.deploy({ version: '2.0.0' });
    const leftBlue = v1.request.deploymentId;
    expect(world.fleets.fleets.has(leftBlue)).toBe(true);
    // Past its drain (the fake world's waits take no fake time): only the routing could keep it.
    world.clock.advance(world.traffic.drainSeconds + 1);

    world.traffic.unreadable = Object.assign(new Error('rate exceeded'), { name: 'Throttling' });
    const closed = await runFakeJanitor(world);
    expect(closed.routingUnread).toBe('Throttling: rate exceeded');
    expect(closed.removed.filter((r) => r.kind === 'fleet')).toEqual([]);
    expect(closed.kept.find((k) => k.id === leftBlue)?.why).toEqual([
      'routing not read, so no fleet is removed: Throttling: rate exceeded',
    ]);
    expect(world.fleets.fleets.has(leftBlue)).toBe(true);

    world.traffic.unreadable = undefined;
    const open = await runFakeJanitor(world);
    expect(open.removed).toContainEqual({ kind: 'fleet', id: leftBlue });
    expect(world.fleets.fleets.has(leftBlue)).toBe(false);
  });

  it('keeps a fleet whose targets still drain after its deployment ended, until the delay has passed', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    // A fleet of a deployment long gone, drained by hand (say, taken out of service) outside any deployment.
    const spec = structuredClone(world.fleets.fleets.get(v1.request.deploymentId));
    if (!spec) throw new Error('no live fleet');
    await world.fleets.launch({ ...spec, fleetId: 'drained-by-hand', deploymentId: 'long-gone' });
    await world.traffic.drain({ service: 'web', environment: 'staging' }, 'drained-by-hand');

    const during = await runFakeJanitor(world);
    expect(during.removed).toEqual([]);
    expect(during.kept.find((k) => k.id === 'drained-by-hand')?.why).toEqual([
      expect.stringMatching(/^draining: until /),
    ]);
    world.clock.advance(world.traffic.drainSeconds + 1);
    const after = await runFakeJanitor(world);
    expect(after.removed).toEqual([{ kind: 'fleet', id: 'drained-by-hand' }]);
  });
});
