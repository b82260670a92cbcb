import { describe, expect, it } from 'vitest';
import {
  type DeploymentWindows,
  isWithinWindow,
  nextWindowOpening,
} from '../../core/windows/deployment-windows.js';

/** Sunday windows in one time zone: the daylight-saving changes of Europe and North America fall on Sundays. */
const sundays = (timeZone: string, from: string, to: string): DeploymentWindows => ({
  timeZone,
  allowed: [{ days: ['sun'], from, to }],
  outside: 'wait',
  maxWaitHours: 72,
});
const at = (iso: string) => new Date(iso);

describe('deployment windows across daylight-saving changes', () => {
  it('opens a window whose start the spring change skips at the first instant after the gap (Paris, 2026-03-29)', () => {
    // 02:00 CET becomes 03:00 CEST at 01:00Z: 02:00-03:00 does not exist that night.
    const night = sundays('Europe/Paris', '02:00', '03:00');
    expect(nextWindowOpening(night, at('2026-03-28T12:00:00Z'), 72)?.toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // Open for its nominal hour, then closed.
    expect(isWithinWindow(night, at('2026-03-29T01:30:00Z'))).toBe(true);
    expect(isWithinWindow(night, at('2026-03-29T02:00:00Z'))).toBe(false);
    // A window that starts in the gap and ends after it opens after the gap and closes at its own end.
    const straddling = sundays('Europe/Paris', '02:30', '03:30');
    expect(nextWindowOpening(straddling, at('2026-03-29T00:00:00Z'), 24)?.toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(isWithinWindow(straddling, at('2026-03-29T01:29:00Z'))).toBe(true);
    expect(isWithinWindow(straddling, at('2026-03-29T01:30:00Z'))).toBe(false);
  });

  it('opens a window in the spring gap of New York too (2026-03-08 and 2027-03-14)', () => {
    const night = sundays('America/New_York', '02:00', '03:00');
    // 02:00 EST becomes 03:00 EDT at 07:00Z.
    expect(nextWindowOpening(night, at('2026-03-07T12:00:00Z'), 72)?.toISOString()).toBe(
      '2026-03-08T07:00:00.000Z',
    );
    expect(nextWindowOpening(night, at('2027-03-13T12:00:00Z'), 72)?.toISOString()).toBe(
      '2027-03-14T07:00:00.000Z',
    );
    expect(isWithinWindow(night, at('2027-03-14T07:59:00Z'))).toBe(true);
  });

  it('counts the hour the autumn change repeats once (Paris, 2026-10-25)', () => {
    // 03:00 CEST becomes 02:00 CET at 01:00Z: 02:00-02:59 happens twice, at 00:00Z and at 01:00Z.
    const short = sundays('Europe/Paris', '02:00', '02:30');
    expect(isWithinWindow(short, at('2026-10-25T00:10:00Z'))).toBe(true);
    expect(isWithinWindow(short, at('2026-10-25T01:10:00Z'))).toBe(false);
    expect(nextWindowOpening(short, at('2026-10-25T00:45:00Z'), 24)).toBeUndefined();
    // 02:00-03:00 opens once and stays open until the clock shows 03:00, once: two real hours.
    const hour = sundays('Europe/Paris', '02:00', '03:00');
    expect(isWithinWindow(hour, at('2026-10-25T01:30:00Z'))).toBe(true);
    expect(isWithinWindow(hour, at('2026-10-25T02:00:00Z'))).toBe(false);
  });

  it('counts the hour the autumn change repeats once (New York, 2027-11-07)', () => {
    // 02:00 EDT becomes 01:00 EST at 06:00Z: 01:00-01:59 happens at 05:00Z and at 06:00Z.
    const short = sundays('America/New_York', '01:00', '01:30');
    expect(nextWindowOpening(short, at('2027-11-06T12:00:00Z'), 72)?.toISOString()).toBe(
      '2027-11-07T05:00:00.000Z',
    );
    expect(isWithinWindow(short, at('2027-11-07T05:15:00Z'))).toBe(true);
    expect(isWithinWindow(short, at('2027-11-07T06:15:00Z'))).toBe(false);
    expect(nextWindowOpening(short, at('2027-11-07T05:45:00Z'), 24)).toBeUndefined();
  });

  it('waits across a change to the next weekday window (Paris, 2027-10-31; New York, 2027-03-14)', () => {
    const weekdays = (timeZone: string): DeploymentWindows => ({
      ...sundays(timeZone, '09:00', '16:00'),
      allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '16:00' }],
    });
    // Saturday noon in Paris (CEST, 10:00Z) to Monday 09:00 CET (08:00Z).
    expect(nextWindowOpening(weekdays('Europe/Paris'), at('2027-10-30T10:00:00Z'), 72)?.toISOString()).toBe(
      '2027-11-01T08:00:00.000Z',
    );
    // Saturday noon in New York (EST, 17:00Z) to Monday 09:00 EDT (13:00Z).
    expect(
      nextWindowOpening(weekdays('America/New_York'), at('2027-03-13T17:00:00Z'), 72)?.toISOString(),
    ).toBe('2027-03-15T13:00:00.000Z');
  });
});
