import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../core/config/describe-issues.js';
import { OPERATION_INPUTS } from '../../core/operations/operation-inputs.js';
import { UsageError } from '../../operator/cli/cli-context.js';
import { untilOf } from '../../operator/cli/freeze-commands.js';

const NOW = new Date('2026-12-03T12:00:00Z');

/** `bakeshift freeze --until`: a time with its offset or a span; anything else is a usage error naming it. */
describe('freeze --until', () => {
  it('takes a time with its offset, and spans from now', () => {
    expect(untilOf('2026-12-27T09:00:00+01:00', NOW)).toBe('2026-12-27T08:00:00.000Z');
    expect(untilOf('2026-12-27T09:00+01:00', NOW)).toBe('2026-12-27T08:00:00.000Z');
    expect(untilOf('12h', NOW)).toBe('2026-12-04T00:00:00.000Z');
  });

  it('refuses a date the calendar has not, instead of moving the freeze to another day', () => {
    expect(() => untilOf('2026-02-30T10:00:00Z', NOW)).toThrow(UsageError);
    expect(() => untilOf('2026-04-31T10:00:00+02:00', NOW)).toThrow(
      '--until 2026-04-31T10:00:00+02:00: give',
    );
  });

  it('refuses a span too long for a date as a usage error, not a crash', () => {
    expect(() => untilOf('99999999999999d', NOW)).toThrow(UsageError);
  });

  it('refuses a time without its offset', () => {
    expect(() => untilOf('2026-12-27T09:00:00', NOW)).toThrow(UsageError);
  });
});

/** A reason is shown in other people's terminals (`bakeshift freezes`, a refused deploy), Slack and the console. */
describe('freeze and override reasons', () => {
  const freeze = { environment: 'prod', until: '2026-12-27T09:00:00Z', by: 'carol' };
  const override = { service: 'web', environment: 'prod', version: '1.0.1', by: 'alice' };

  it('refuses control characters (a terminal escape, a newline), naming the field', () => {
    for (const reason of ['sales\u001b[2J\u001b[Hall clear', 'sales\nall clear']) {
      const refused = OPERATION_INPUTS.freeze.safeParse({ ...freeze, reason });
      expect(refused.success).toBe(false);
      expect(describeIssues('freeze', refused.error?.issues ?? [])).toContain('reason');
      expect(OPERATION_INPUTS.overrideFreeze.safeParse({ ...override, reason }).success).toBe(false);
    }
  });

  it('takes one line of any language', () => {
    const reason = 'soldes de Noël — 年末';
    expect(OPERATION_INPUTS.freeze.safeParse({ ...freeze, reason }).success).toBe(true);
    expect(OPERATION_INPUTS.overrideFreeze.safeParse({ ...override, reason }).success).toBe(true);
  });
});
