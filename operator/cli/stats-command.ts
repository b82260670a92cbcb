import type { DeliveryFigures } from '../../core/stats/delivery-figures.js';
import type { CliContext } from './cli-context.js';
import { UsageError } from './usage-error.js';

/** `--since`: a time with its offset, or how long ago (`7d`, `12h`). */
function sinceOf(text: string | undefined, now: Date): string | undefined {
  if (!text) return undefined;
  const span = /^(\d+)([hd])$/.exec(text);
  const unit = { h: 3_600_000, d: 86_400_000 }[span?.[2] ?? ''];
  if (span && unit) return new Date(now.getTime() - Number(span[1]) * unit).toISOString();
  if (!/(Z|[+-]\d\d:\d\d)$/.test(text) || Number.isNaN(Date.parse(text)))
    throw new UsageError(
      `--since ${text}: give a time with its offset (2026-11-01T00:00:00Z) or a span (7d, 12h)`,
    );
  return new Date(text).toISOString();
}

const duration = (seconds: number | null) => {
  if (seconds === null) return '-';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
};

function figuresLine(f: DeliveryFigures): string {
  const rate = f.changeFailureRate === null ? '-' : `${Math.round(f.changeFailureRate * 100)} %`;
  return `${f.service}/${f.environment}: ${f.deployments} deployments (${f.deploymentsPerDay.toFixed(2)}/day), lead time ${duration(f.leadTimeSeconds)}, change failure rate ${rate} (${f.failedChanges} failed), time to restore ${duration(f.timeToRestoreSeconds)}`;
}

/** `bakeshift stats [service] [--since 30d]`: DORA's four figures per service and environment. */
export async function runStats(ctx: CliContext): Promise<void> {
  const since = sinceOf(ctx.text('since'), new Date());
  const service = ctx.args[0];
  const result = await (await ctx.operations()).stats({
    ...(service ? { service } : {}),
    ...(since ? { since } : {}),
  });
  const period = result.figures[0] ? `from ${result.figures[0].since} to ${result.figures[0].until}` : '';
  ctx.print([period, ...result.figures.map(figuresLine)].filter(Boolean).join('\n') || 'no services', result);
}
