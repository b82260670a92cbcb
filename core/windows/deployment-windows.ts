import { Cron } from 'croner';
import * as z from 'zod';
import { TimeZone } from '../config/time-zone.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (00:00 to 24:00)');
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * The longest a deployment may wait for its window: a weekend and more (Friday 16:00 to Monday 09:00 is 65 h). The
 * ASL's WaitForWindow sleeps until the opening PrepareDeployment computes within it; the execution's own
 * TimeoutSeconds outlasts it and the lock wait after it (test/static/polling-bounds.test.ts).
 */
export const MAX_WINDOW_WAIT_HOURS = 72;

/**
 * When an environment takes deployments: some days, between two local times, in one IANA time zone (Spinnaker's
 * execution windows, keel's allowed-times). Outside, a deployment waits for the next window (at most
 * `maxWaitHours`, then it is refused) or is refused at once; rollbacks are never held.
 */
export const DeploymentWindows = z
  .object({
    timeZone: TimeZone,
    allowed: z
      .array(
        z
          .object({ days: z.array(z.enum(DAYS)).min(1), from: clockTime, to: clockTime })
          .strict()
          .refine((w) => minutesOf(w.from) < minutesOf(w.to), {
            message: 'from must be before to (same day)',
          }),
      )
      .min(1, 'name at least one window'),
    outside: z.enum(['wait', 'refuse']).default('refuse'),
    maxWaitHours: z.number().int().min(1).max(MAX_WINDOW_WAIT_HOURS).default(24),
  })
  .strict();
export type DeploymentWindows = z.infer<typeof DeploymentWindows>;

/** One window of an environment, as configured. */
type AllowedWindow = DeploymentWindows['allowed'][number];

/** One time a window is open, as real instants: [opensAt, closesAt). */
export interface WindowOpening {
  opensAt: Date;
  closesAt: Date;
}

const schedules = new Map<string, Cron>();
/**
 * The instants at which the clock of `timeZone` shows `time` on `days`, by croner, which settles both
 * daylight-saving changes as Vixie cron does: a time the spring change skips is taken as the first instant after
 * the gap, the same day; a time the autumn change repeats counts once, at its first occurrence.
 */
function scheduleOf(time: string, days: readonly Day[] | '*', timeZone: string): Cron {
  const key = `${time} ${days} ${timeZone}`;
  let schedule = schedules.get(key);
  if (!schedule) {
    // 24:00 is the next day's 00:00 (only ever a closing time).
    const [hour, minute] = time === '24:00' ? ['0', '0'] : [time.slice(0, 2), time.slice(3, 5)];
    const pattern = `0 ${Number(minute)} ${Number(hour)} * * ${days === '*' ? '*' : days.join(',')}`;
    schedule = new Cron(pattern, { timezone: timeZone, paused: true });
    schedules.set(key, schedule);
  }
  return schedule;
}

/**
 * When a window that opens at `opensAt` closes: at its `to` that day. A window lying wholly in the spring gap
 * (02:00–03:00 the night the clocks skip that hour) would close as it opens: it stays open for its nominal length.
 */
function closingOf(window: AllowedWindow, opensAt: Date, timeZone: string): Date {
  const closings = scheduleOf(window.to, '*', timeZone);
  const from = window.to === '24:00' ? opensAt : new Date(opensAt.getTime() - 1);
  const closesAt = closings.nextRun(from);
  if (closesAt && closesAt > opensAt) return closesAt;
  return new Date(opensAt.getTime() + (minutesOf(window.to) - minutesOf(window.from)) * 60_000);
}

/** The openings of one window that begin after `after`, the first `count` of them. */
function openingsAfter(window: AllowedWindow, timeZone: string, after: Date, count: number): WindowOpening[] {
  return scheduleOf(window.from, window.days, timeZone)
    .nextRuns(count, after)
    .map((opensAt) => ({ opensAt, closesAt: closingOf(window, opensAt, timeZone) }));
}

/** A window lasts at most a day: 25 hours of real time on the autumn change. */
const LONGEST_OPENING_MS = 26 * 3_600_000;

/** The opening of a window that `at` falls in, if any. */
export function openingAt(windows: DeploymentWindows, at: Date): WindowOpening | undefined {
  const since = new Date(at.getTime() - LONGEST_OPENING_MS);
  return windows.allowed
    .flatMap((window) => openingsAfter(window, windows.timeZone, since, 3))
    .find(({ opensAt, closesAt }) => opensAt <= at && at < closesAt);
}

export function isWithinWindow(windows: DeploymentWindows, at: Date): boolean {
  return openingAt(windows, at) !== undefined;
}

/**
 * The next instant a window is open at or after `from`, exactly (no polling), looking no further than
 * `horizonHours` (undefined if none opens by then).
 */
export function nextWindowOpening(
  windows: DeploymentWindows,
  from: Date,
  horizonHours: number,
): Date | undefined {
  if (isWithinWindow(windows, from)) return from;
  const horizon = from.getTime() + Math.min(horizonHours, MAX_WINDOW_WAIT_HOURS) * 3_600_000;
  const next = windows.allowed
    .flatMap((window) => openingsAfter(window, windows.timeZone, from, 1))
    .map(({ opensAt }) => opensAt.getTime())
    .filter((opensAt) => opensAt <= horizon);
  return next.length > 0 ? new Date(Math.min(...next)) : undefined;
}

/** "mon-fri 09:00-16:00 (Europe/Paris)" for messages. */
export function describeWindows(windows: DeploymentWindows): string {
  const each = windows.allowed.map((w) => `${w.days.join(',')} ${w.from}-${w.to}`);
  return `${each.join('; ')} (${windows.timeZone})`;
}
