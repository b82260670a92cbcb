import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { toFiveFieldCron } from '../../core/config/eventbridge-cron.js';

describe('EventBridge cron expressions, scheduled locally', () => {
  it.each([
    ['cron(0 3 * * ? *)', '0 3 * * *'],
    ['cron(30 2 ? * MON-FRI *)', '30 2 * * MON-FRI'],
    ['cron(0 4 ? * 1 *)', '0 4 * * 0'],
    ['cron(0 4 ? * 2-6 *)', '0 4 * * 1-5'],
    ['cron(15 1 1 * ? *)', '15 1 1 * *'],
  ])('%s runs as %s', (eventbridge, fiveFields) => {
    expect(toFiveFieldCron(eventbridge)).toBe(fiveFields);
  });

  it('keeps the time zone: 03:00 in Paris is 02:00 UTC in winter', () => {
    const next = new Cron(toFiveFieldCron('cron(0 3 * * ? *)'), { timezone: 'Europe/Paris' }).nextRun(
      new Date('2026-12-01T12:00:00Z'),
    );
    expect(next?.toISOString()).toBe('2026-12-02T02:00:00.000Z');
  });

  it('refuses what it cannot schedule locally', () => {
    expect(() => toFiveFieldCron('cron(0 3 * * ? 2027)')).toThrow(
      'a year other than * cannot be scheduled locally',
    );
    expect(() => toFiveFieldCron('cron(0 3 * *)')).toThrow('expected six fields');
  });
});
