import { describe, expect, it } from 'vitest';
import {
  type DeploymentWindows,
  isWithinWindow,
  nextWindowOpening,
} from '../../core/windows/deployment-windows.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';

const hhmm = (at: Date) => at.toISOString().slice(11, 16);

/** A daily UTC window that opens 30 minutes from `now` and lasts an hour (moved past midnight if it would wrap). */
function windowSoonAfter(now: Date) {
  const from = new Date(now.getTime() + 30 * 60_000);
  const to = new Date(now.getTime() + 90 * 60_000);
  const wraps = hhmm(to) <= hhmm(from);
  return {
    timeZone: 'UTC',
    allowed: [
      {
        days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
        from: wraps ? '00:30' : hhmm(from),
        to: wraps ? '01:30' : hhmm(to),
      },
    ],
  };
}

/** When the window a deployment waited for opened, from the note in its record. */
function opensAtOf(record: { warnings: string[] } | undefined): number {
  const note = record?.warnings.find((w) => w.startsWith('window: waiting'));
  expect(note).toBeDefined();
  return Date.parse(note?.split(', at ')[1] ?? '');
}

/** The world with staging's windows set. */
function worldWithWindows(windows: (now: Date) => Record<string, unknown>) {
  const world = new FakeWorld();
  const config = webConfig();
  Object.assign(config.environments.staging, { windows: windows(world.clock.now()) });
  world.configs.set('web', config);
  return world;
}

describe('deployment windows (virtual time over the fakes)', () => {
  it('refuses a deployment outside its window at once when the environment says so, leaving nothing', async () => {
    const world = worldWithWindows((now) => ({ ...windowSoonAfter(now), outside: 'refuse' }));
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'OutsideWindow' });
    expect(outcome.cause).toContain('web/staging takes deployments sun,mon,tue,wed,thu,fri,sat');
    expect(world.calls.map((c) => c.stateName)).toEqual(['PrepareDeployment']);
    expect(record).toBeUndefined();
    expect(world.fleets.ids()).toEqual([]);
  });

  it('holds a deployment outside its window until the next one opens, then deploys it', async () => {
    const world = worldWithWindows((now) => ({ ...windowSoonAfter(now), outside: 'wait' }));
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome.status).toBe('SUCCEEDED');
    const opensAt = opensAtOf(record);
    // One PrepareDeployment answers when the window opens, WaitForWindow sleeps until then, one more prepares.
    expect(world.calls.filter((c) => c.stateName === 'PrepareDeployment').length).toBe(2);
    expect(Date.parse(record?.phases.launch ?? '')).toBeGreaterThanOrEqual(opensAt);
    expect(Date.parse(record?.phases.bake ?? '')).toBeGreaterThanOrEqual(opensAt);
  });

  it('wakes at the opening of a window shorter than any poll interval (10 minutes), not after it', async () => {
    const world = worldWithWindows((now) => {
      const windows = windowSoonAfter(now);
      const [window] = windows.allowed;
      const end = Number(window?.from.slice(0, 2)) * 60 + Number(window?.from.slice(3, 5)) + 10;
      const to = `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`;
      return { ...windows, allowed: [{ ...window, to }], outside: 'wait' };
    });
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome.status).toBe('SUCCEEDED');
    const opensAt = opensAtOf(record);
    const bakeStarted = Date.parse(record?.phases.bake ?? '');
    expect(bakeStarted).toBeGreaterThanOrEqual(opensAt);
    // At the opening (the test's own run time aside), after one sleep: no poll could miss the window.
    expect(bakeStarted - opensAt).toBeLessThan(1_000);
    expect(world.calls.filter((c) => c.stateName === 'PrepareDeployment').length).toBe(2);
  });

  it('waits for the lock on a budget of its own, counted from the window’s opening', async () => {
    const world = worldWithWindows((now) => ({ ...windowSoonAfter(now), outside: 'wait' }));
    // Another deployment holds the lock and never lets go.
    await world.store.acquireLock({
      service: 'web',
      environment: 'staging',
      deploymentId: 'web-staging-stuck',
      requestedAt: '2000-01-01T00:00:00.000Z',
    });
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'LockTimeout' });
    expect(outcome.cause).toContain('after 1800s');
    // The full lock wait (webConfig's default, 1800 s) after the window opened, not what remained of it.
    expect(world.clock.now().getTime() - opensAtOf(record)).toBeGreaterThanOrEqual(1800_000);
  });

  it('ends a waiting deployment that finds a freeze when its window opens: failed with the cause, lock free, announced', async () => {
    const world = worldWithWindows((now) => ({ ...windowSoonAfter(now), outside: 'wait' }));
    // The freeze is set while the deployment waits: just after its record is written.
    const createDeployment = world.store.createDeployment.bind(world.store);
    world.store.createDeployment = async (record) => {
      const created = await createDeployment(record);
      const until = new Date(world.clock.now().getTime() + 48 * 3_600_000).toISOString();
      await world.store.putFreeze({
        service: 'web',
        environment: 'staging',
        until,
        reason: 'incident 42',
        by: 'oncall',
        at: world.clock.now().toISOString(),
      });
      return created;
    };
    const { request, outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'RefusedAfterWaiting' });
    // Ended as every failed deployment ends (compensated), with the freeze as its cause.
    expect(record?.status).toBe('rolled_back');
    expect(JSON.stringify(record?.failure)).toContain('Frozen: web/staging is frozen');
    expect(JSON.stringify(record?.failure)).toContain('incident 42');
    expect(await world.store.lockHolder('web', 'staging')).toBeUndefined();
    expect(world.notifier.kinds(request.deploymentId)).toContain('rolled_back');
    expect(world.fleets.ids()).toEqual([]);
  });

  it('refuses at once when no window opens within maxWaitHours', async () => {
    const world = worldWithWindows((now) => ({
      timeZone: 'UTC',
      // Only the day after tomorrow: always more than a day away.
      allowed: [
        {
          days: [['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(now.getUTCDay() + 2) % 7]],
          from: '00:00',
          to: '24:00',
        },
      ],
      outside: 'wait',
      maxWaitHours: 1,
    }));
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome.error).toBe('OutsideWindow');
    expect(outcome.cause).toContain('no window opens within maxWaitHours (1)');
    expect(record).toBeUndefined();
  });

  it('refuses, leaving nothing, a request first prepared late whose window opens beyond maxWaitHours: it never waited', async () => {
    // The window opens in 3 hours; staging waits at most 1.
    const world = worldWithWindows((now) => ({
      ...windowSoonAfter(new Date(now.getTime() + 150 * 60_000)),
      outside: 'wait',
      maxWaitHours: 1,
    }));
    const request = world.request({ version: '1.0.0' });
    world.clock.advance(600); // its start came 10 minutes late (an event's delivery, transient retries)
    const outcome = await world.start(request).outcome;
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'OutsideWindow' });
    expect(outcome.cause).toContain('no window opens within maxWaitHours (1) of the request: refused');
    expect(await world.store.getDeployment(request.deploymentId)).toBeUndefined();
  });

  it('never holds a rollback', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    await world.deploy({ version: '2.0.0' });
    const config = webConfig();
    Object.assign(config.environments.staging, {
      windows: { ...windowSoonAfter(world.clock.now()), outside: 'refuse' },
    });
    world.configs.set('web', config);
    expect((await world.deploy({ version: '3.0.0' })).outcome.error).toBe('OutsideWindow');
    const rollback = await world.deploy({
      version: '1.0.0',
      trigger: 'rollback',
      imageId: v1.record?.imageId ?? '',
    });
    expect(rollback.outcome.status).toBe('SUCCEEDED');
  });

  it('finds the next opening in the window’s own time zone, across a daylight-saving change', () => {
    const paris: DeploymentWindows = {
      timeZone: 'Europe/Paris',
      allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '16:00' }],
      outside: 'wait',
      maxWaitHours: 72,
    };
    // Friday 2026-03-27 17:00 Paris (16:00Z, CET): the next window is Monday 09:00 CEST, 07:00Z.
    const friday = new Date('2026-03-27T16:00:00Z');
    expect(isWithinWindow(paris, friday)).toBe(false);
    expect(nextWindowOpening(paris, friday, 72)?.toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(isWithinWindow(paris, new Date('2026-03-30T13:59:00Z'))).toBe(true);
    expect(isWithinWindow(paris, new Date('2026-03-30T14:00:00Z'))).toBe(false);
    expect(nextWindowOpening(paris, friday, 24)).toBeUndefined();
  });
});
