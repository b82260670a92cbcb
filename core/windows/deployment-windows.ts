import * as z from 'zod';
import { TimeZone } from '../config/time-zone.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (00:00 to 24:00)');
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * The longest a deployment may wait for its window: a weekend and more (Friday 16:00 to Monday 09:00 is 65 h). The
 * ASL's WindowClosed retry (every 5 minutes, backing off to 40) outlasts it (test/static/polling-bounds.test.ts).
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

const formatters = new Map<string, Intl.DateTimeFormat>();
/** One formatter per time zone: making one is far slower than using it, and a search uses it many times. */
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The weekday and minute of the day at `at` in the windows' time zone. */
function localTime(at: Date, timeZone: string): { day: Day; minute: number } {
  const parts = formatterOf(timeZone).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: part('weekday').toLowerCase().slice(0, 3) as Day,
    minute: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

export function isWithinWindow(windows: DeploymentWindows, at: Date): boolean {
  const { day, minute } = localTime(at, windows.timeZone);
  return windows.allowed.some(
    (w) => w.days.includes(day) && minutesOf(w.from) <= minute && minute < minutesOf(w.to),
  );
}

/**
 * The next instant a window is open at or after `from`, to the minute, looking no further than `horizonHours`
 * (undefined if none opens by then). Minute by minute, bounded: at most a week of minutes.
 */
export function nextWindowOpening(
  windows: DeploymentWindows,
  from: Date,
  horizonHours: number,
): Date | undefined {
  if (isWithinWindow(windows, from)) return from;
  const start = Math.ceil(from.getTime() / 60_000) * 60_000;
  const minutes = Math.min(horizonHours, MAX_WINDOW_WAIT_HOURS) * 60;
  for (let i = 0; i <= minutes; i++) {
    const at = new Date(start + i * 60_000);
    if (isWithinWindow(windows, at)) return at;
  }
  return undefined;
}

/** "mon-fri 09:00-16:00 (Europe/Paris)" for messages. */
export function describeWindows(windows: DeploymentWindows): string {
  const each = windows.allowed.map((w) => `${w.days.join(',')} ${w.from}-${w.to}`);
  return `${each.join('; ')} (${windows.timeZone})`;
}
