/**
 * EventBridge Scheduler's `cron(minutes hours day-of-month month day-of-week year)` as a five-field cron pattern
 * for a local scheduler. EventBridge numbers days of the week 1-7 from Sunday; classic cron 0-6 from Sunday.
 */
export function toFiveFieldCron(expression: string): string {
  const fields = expression
    .replace(/^cron\(/, '')
    .replace(/\)$/, '')
    .trim()
    .split(/\s+/);
  if (fields.length !== 6) throw new Error(`${expression}: expected six fields`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (year !== '*') throw new Error(`${expression}: a year other than * cannot be scheduled locally`);
  const weekday = dayOfWeek.replace(/\d+/g, (n) => String((Number(n) + 6) % 7));
  return [minutes, hours, dayOfMonth, month, weekday].map((f) => (f === '?' ? '*' : f)).join(' ');
}
