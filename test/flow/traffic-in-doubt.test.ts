import { describe, expect, it } from 'vitest';
import { readStatus } from '../../core/operations/read-status.js';
import { FakeWorld } from '../support/fake-world.js';

/** A deployment whose green failed at full weight and whose RestoreTraffic and RecordRollback failed for good. */
async function leftInDoubt(world: FakeWorld) {
  expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
  world.faults.push(
    { stateName: 'WatchGreen', when: 'before' },
    { stateName: 'RestoreTraffic', when: 'before' },
    { stateName: 'RecordRollback', when: 'before' },
  );
  const doubtful = await world.deploy({ version: '2.0.0' });
  world.faults.length = 0;
  expect(doubtful.outcome.status).toBe('FAILED');
  expect(doubtful.record?.status).toBe('compensating');
  return doubtful;
}

const statusOf = async (world: FakeWorld) =>
  (
    await readStatus({
      configs: Object.assign(world.configs, { services: async () => ['web'] }),
      store: world.store,
      serving: {
        endpoints: async () => undefined,
        instanceCount: async () => 2,
        traffic: async () => [],
        congruenceSchedules: () => [],
      },
    })
  ).services.find((s) => s.environment === 'staging');

describe('traffic in doubt: RestoreTraffic and RecordRollback failed for good (issue 24 follow-up)', () => {
  it('is announced as such (not as a rollback) with the listener as it is, recorded, and shown by status', async () => {
    const world = new FakeWorld();
    const { request } = await leftInDoubt(world);
    const kinds = world.notifier.kinds(request.deploymentId);
    expect(kinds).toContain('traffic_in_doubt');
    expect(kinds).not.toContain('rolled_back');
    const green = (await world.store.getDeployment(request.deploymentId))?.greenFleetId;
    const announced = world.notifier.events.find((e) => e.kind === 'traffic_in_doubt');
    expect(announced?.detail).toMatch(new RegExp(`^traffic in doubt: listener at ${green} 100%`));
    expect(announced?.detail).toContain('recorded in the deployment, whose status still says compensating');
    expect((await world.store.getDeployment(request.deploymentId))?.warnings).toContainEqual(
      expect.stringMatching(/^traffic in doubt: listener at /),
    );
    expect((await statusOf(world))?.trafficInDoubt).toEqual({
      deploymentId: request.deploymentId,
      status: 'compensating',
    });
  });

  it('is announced even when the record cannot be written, saying so', async () => {
    const world = new FakeWorld();
    const update = world.store.updateDeployment.bind(world.store);
    world.store.updateDeployment = async (id, change) => {
      if (change.addWarnings?.some((w) => w.startsWith('traffic in doubt'))) throw new Error('store down');
      return update(id, change);
    };
    const { request } = await leftInDoubt(world);
    const announced = world.notifier.events.find(
      (e) => e.kind === 'traffic_in_doubt' && e.deploymentId === request.deploymentId,
    );
    expect(announced?.detail).toContain(
      'the record could not be written (its status still says compensating)',
    );
    // status still shows the environment in doubt: the record says compensating.
    expect((await statusOf(world))?.trafficInDoubt?.deploymentId).toBe(request.deploymentId);
  });

  it('a later deployment that succeeds settles it', async () => {
    const world = new FakeWorld();
    await leftInDoubt(world);
    world.clock.advance(10 * 24 * 3600);
    expect((await world.deploy({ version: '3.0.0' })).outcome.status).toBe('SUCCEEDED');
    expect((await statusOf(world))?.trafficInDoubt).toBeNull();
  });

  it('is still shown by status after ten or more later deployments that did not succeed', async () => {
    const world = new FakeWorld();
    const { request } = await leftInDoubt(world);
    // Each fails before it touches traffic (and rolls back to what it found): none settles the listener.
    world.faults.push({ stateName: 'LaunchGreen', when: 'before' });
    for (let n = 3; n <= 13; n++)
      expect((await world.deploy({ version: `${n}.0.0` })).record?.status).toBe('rolled_back');
    world.faults.length = 0;
    expect((await world.store.listDeployments('web', 'staging', 100)).length).toBe(13);
    expect((await statusOf(world))?.trafficInDoubt).toEqual({
      deploymentId: request.deploymentId,
      status: 'compensating',
    });
  });

  it.each([
    ['RestoreTraffic failed for good', ['RestoreTraffic'], 1],
    ['RestoreTraffic and RecordRollback failed for good', ['RestoreTraffic', 'RecordRollback'], 0],
  ])(
    'is announced once per deployment when AnnounceRollback is retried after announcing (%s)',
    async (_case, failing, rollbacks) => {
      const world = new FakeWorld();
      expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
      world.faults.push(
        { stateName: 'WatchGreen', when: 'before' },
        ...failing.map((stateName) => ({ stateName, when: 'before' as const })),
        // Its work done, the step fails to report it: Step Functions runs it again.
        { stateName: 'AnnounceRollback', when: 'after', times: 1, error: 'Lambda.ServiceException' },
      );
      const { request } = await world.deploy({ version: '2.0.0' });
      expect(world.faults.at(-1)?.delivered).toBe(1);
      world.faults.length = 0;
      const kinds = world.notifier.kinds(request.deploymentId);
      expect(kinds.filter((k) => k === 'traffic_in_doubt')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'rolled_back')).toHaveLength(rollbacks);
    },
  );

  it('RestoreTraffic alone failing for good is announced too, after the rollback RecordRollback wrote', async () => {
    const world = new FakeWorld();
    expect((await world.deploy({ version: '1.0.0' })).outcome.status).toBe('SUCCEEDED');
    world.faults.push(
      { stateName: 'WatchGreen', when: 'before' },
      { stateName: 'RestoreTraffic', when: 'before' },
    );
    const { request, record } = await world.deploy({ version: '2.0.0' });
    world.faults.length = 0;
    expect(record?.status).toBe('rolled_back');
    expect(world.notifier.kinds(request.deploymentId)).toEqual(
      expect.arrayContaining(['rolled_back', 'traffic_in_doubt']),
    );
    const announced = world.notifier.events.find((e) => e.kind === 'traffic_in_doubt');
    expect(announced?.detail).toContain("the record says rolled back, with RestoreTraffic's failure");
    expect((await statusOf(world))?.trafficInDoubt).toBeTruthy();
  });
});
