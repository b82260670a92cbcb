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
    // Each poll of PrepareDeployment stands for the 5 minutes its WindowClosed retry waits on AWS.
    world.advanceOnCall.PrepareDeployment = 300;
    const { outcome, record } = await world.deploy({ version: '1.0.0' });
    expect(outcome.status).toBe('SUCCEEDED');
    const note = record?.warnings.find((w) => w.startsWith('window: waiting'));
    expect(note).toBeDefined();
    const opensAt = Date.parse(note?.split(', at ')[1] ?? '');
    expect(world.calls.filter((c) => c.stateName === 'PrepareDeployment').length).toBeGreaterThan(5);
    expect(Date.parse(record?.phases.launch ?? '')).toBeGreaterThanOrEqual(opensAt);
    expect(Date.parse(record?.phases.bake ?? '')).toBeGreaterThanOrEqual(opensAt);
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
