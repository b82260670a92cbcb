import { describeFreeze, scopeOf } from '../../core/freezes/freeze.js';
import { approverName } from '../approver-name.js';
import { type CliContext, UsageError } from './cli-context.js';

const FREEZE_USAGE = 'bakeshift freeze [--service S] [--env E] --until T --reason R';

/** `--until`: a time with its offset (ISO 8601), or how long from now (`12h`, `3d`, `90m`). */
export function untilOf(text: string | undefined, now: Date): string {
  if (!text) throw new UsageError(`usage: ${FREEZE_USAGE}`);
  const span = /^(\d+)([mhd])$/.exec(text);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[span?.[2] ?? ''];
  const until = span && unit ? new Date(now.getTime() + Number(span[1]) * unit) : new Date(text);
  if (span && unit && !Number.isNaN(until.getTime())) return until.toISOString();
  if (span || !/(Z|[+-]\d\d:\d\d)$/.test(text) || Number.isNaN(until.getTime()) || !onTheCalendar(text))
    throw new UsageError(
      `--until ${text}: give a time with its offset (2026-12-27T09:00:00+01:00, or …Z) or a span (12h, 3d)`,
    );
  return until.toISOString();
}

/** Whether a written date exists (Date.parse takes 2026-02-30 for 2 March). */
function onTheCalendar(text: string): boolean {
  const [year, month, day] = (/^(\d{4})-(\d\d)-(\d\d)/.exec(text) ?? []).slice(1).map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The scope the options name: a service, an environment, both, or neither (everything). */
const scopeOptions = (ctx: CliContext) => {
  const [service, environment] = [ctx.text('service'), ctx.text('env')];
  return { ...(service ? { service } : {}), ...(environment ? { environment } : {}) };
};

/** `freeze`, `unfreeze` and `freezes`: done as the caller's authenticated identity, as approvals are. */
export const FREEZE_COMMANDS: Record<string, (ctx: CliContext) => Promise<void>> = {
  async freeze(ctx) {
    const until = untilOf(ctx.text('until'), new Date());
    const reason = ctx.text('reason');
    if (!reason) throw new UsageError(`usage: ${FREEZE_USAGE} (the reason is shown to whoever is refused)`);
    const by = await approverName(await ctx.target(), ctx.home, undefined);
    const set = await (await ctx.operations()).freeze({ ...scopeOptions(ctx), until, reason, by });
    ctx.print([`frozen: ${describeFreeze(set.freeze)}`, ...set.warnings].join('\n'), set);
  },
  async unfreeze(ctx) {
    const by = await approverName(await ctx.target(), ctx.home, undefined);
    const lifted = await (await ctx.operations()).unfreeze({ ...scopeOptions(ctx), by });
    ctx.print([`unfrozen: ${scopeOf(lifted.freeze)}`, ...lifted.warnings].join('\n'), lifted);
  },
  async freezes(ctx) {
    const { freezes } = await (await ctx.operations()).freezes({});
    ctx.print(freezes.map(describeFreeze).join('\n') || 'no freezes in force', { freezes });
  },
};
