import { summarizeDrift } from '../../core/congruence/drift-report.js';
import { formatDurations, phaseDurations } from '../../core/deployment/phase-durations.js';
import type { OperationResults } from '../../core/operations/operations.js';
import { approverName, requester } from '../approver-name.js';
import { type CliContext, required, UsageError } from './cli-context.js';
import { followDeployment } from './run-deploy.js';
import { resolveTarget, saveTarget } from './target.js';

const environmentOf = (ctx: CliContext) => ctx.text('env') ?? 'staging';

/** One environment in `status`: what is live, how traffic is split, a deployment waiting for a decision. */
export function statusLine(s: OperationResults['status']['services'][number]): string {
  const versions = new Map([
    ...(s.keptWarm ? [[s.keptWarm.fleetId, s.keptWarm.version] as const] : []),
    ...(s.live ? [[s.live.fleetId, s.live.version] as const] : []),
  ]);
  const green = s.inFlight[0]?.version ?? 'green';
  const split =
    s.traffic.length > 1
      ? ` (traffic ${s.traffic.map((w) => `${versions.get(w.fleetId) ?? green} ${w.percent} %`).join(', ')})`
      : '';
  const live = s.live ? `${s.live.version} on ${s.instances} instances${split}` : 'nothing live';
  const warm = s.keptWarm ? `, ${s.keptWarm.version} kept warm for a rollback` : '';
  const doubt = s.trafficInDoubt
    ? `, TRAFFIC IN DOUBT (${s.trafficInDoubt.deploymentId} left it ${s.trafficInDoubt.status}: check the listener)`
    : '';
  const asking = s.inFlight.flatMap((d) =>
    d.inDoubt
      ? [
          `\n  ${d.version} (${d.deploymentId}) waits for a decision, in doubt at ${d.inDoubt.step}: ${d.inDoubt.reason}`,
        ]
      : [],
  );
  return `${s.service}/${s.environment}: ${live}${warm}${doubt}${s.lock ? `, deploying (${s.lock})` : ''}${s.url ? ` at ${s.url}` : ''}${asking.join('')}`;
}

function historyLines(r: OperationResults['history'][number]): string {
  const durations = formatDurations(phaseDurations(r, new Date(r.finishedAt ?? Date.now())));
  const via = r.approvedVia ? ` (${r.approvedVia})` : '';
  const who = `${r.trigger} by ${r.requestedBy}${r.approvedBy ? `, approved by ${r.approvedBy}${via}` : ''}`;
  const cause = r.failure ? `\n    ${r.failure.step}: ${r.failure.error}: ${r.failure.cause}` : '';
  const drift = r.drift ? `\n    drift before the run: ${summarizeDrift(r.drift)}` : '';
  const analysis = (r.analysis ?? [])
    .map((a) => `\n    ${a.passed ? '✓' : '✗'} ${a.step}: ${a.reason}`)
    .join('');
  return `${r.requestedAt} ${r.version} ${r.status} (${who}) image ${r.imageId ?? '-'}\n    ${durations}${cause}${drift}${analysis}`;
}

function eventLine(event: Record<string, unknown>): string {
  const view = event.view as { deploymentId?: string; status?: string } | undefined;
  if (event.type !== 'deployment') return `${event.time} ${event.type} ${view?.deploymentId} ${view?.status}`;
  const detail = event.detail ? ` (${event.detail})` : '';
  return `${event.time} ${event.kind} ${event.service}/${event.environment} ${event.version}${detail}`;
}

/** How often `events --follow` looks for new events. */
const EVENTS_INTERVAL_MS = 500;

async function decide(ctx: CliContext, approve: boolean) {
  const name = approve ? 'approve' : 'reject';
  const deploymentId = required(ctx, 0, `bakeshift ${name} <deploymentId> [--as NAME]`);
  const by = await approverName(await ctx.target(), ctx.home, ctx.text('as'));
  const result = await (await ctx.operations()).decide({ deploymentId, approve, by });
  ctx.print(`${deploymentId}: ${result.outcome}`, result);
}

const LOGS_USAGE =
  'bakeshift logs <service> [--env staging] [--deployment ID] [--instance ID] [--stream stderr] [--since 10m] [--lines 50] [--follow]';

/** `--since`: a time (ISO 8601), or how long ago (`90s`, `10m`, `2h`, `1d`). */
function sinceOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const ago = /^(\d+)([smhd])$/.exec(text);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago?.[2] ?? ''];
  if (ago && unit) return new Date(Date.now() - Number(ago[1]) * unit).toISOString();
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new UsageError(`--since ${text}: give a time (ISO 8601) or how long ago (10m, 2h, 1d)`);
  return new Date(at).toISOString();
}

/** What `logs` asks for: a service's environment, or one deployment's instances; an instance, a stream, a start. */
function logsInput(ctx: CliContext) {
  const service = ctx.args[0];
  const deploymentId = ctx.text('deployment');
  if (!service && !deploymentId) throw new UsageError(`usage: ${LOGS_USAGE}`);
  const stream = ctx.text('stream');
  if (stream && !['stdout', 'stderr', 'lifecycle'].includes(stream))
    throw new UsageError(`--stream ${stream}: stdout, stderr or lifecycle`);
  const since = sinceOf(ctx.text('since'));
  const instanceId = ctx.text('instance');
  return {
    ...(service ? { service } : {}),
    environment: environmentOf(ctx),
    lines: Number(ctx.text('lines') ?? 50),
    ...(deploymentId ? { deploymentId } : {}),
    ...(instanceId ? { instanceId } : {}),
    ...(stream ? { stream: stream as 'stdout' | 'stderr' | 'lifecycle' } : {}),
    ...(since ? { since } : {}),
  };
}

/** How often `logs --follow` looks for new lines. */
const LOGS_INTERVAL_MS = 2_000;
const logLine = (l: OperationResults['logs'][number]) =>
  `${l.time} ${l.instanceId} ${l.stream}: ${l.message}`;

/** The commands that are one operation of the control plane: each calls it and prints its result. */
export const OPERATOR_COMMANDS: Record<string, (ctx: CliContext) => Promise<void>> = {
  async status(ctx) {
    const result = await (await ctx.operations()).status({});
    const invalid = (result.invalidConfigs ?? []).map(
      (c) => `${c.service}: configuration not usable:\n  ${c.error.replaceAll('\n', '\n  ')}`,
    );
    const lines = [...result.services.map(statusLine), ...invalid];
    ctx.print(lines.join('\n') || 'no services configured', result);
  },
  async history(ctx) {
    const service = required(ctx, 0, 'bakeshift history <service> [--env staging]');
    const records = await (await ctx.operations()).history({
      service,
      environment: environmentOf(ctx),
      limit: 20,
    });
    ctx.print(records.map(historyLines).join('\n') || 'no deployments yet', records);
  },
  /** The last lines (filtered); with --follow, then every new line (each shown once) until interrupted. */
  async logs(ctx) {
    const operations = await ctx.operations();
    const input = logsInput(ctx);
    // The lines of the last read: a line in the next read's window that was in it was shown already.
    let shown = new Set<string>();
    for (;;) {
      const window = await operations.logs(input);
      const lines = window.filter((l) => !shown.has(JSON.stringify(l)));
      shown = new Set(window.map((l) => JSON.stringify(l)));
      if (!ctx.flags.follow) return ctx.print(lines.map(logLine).join('\n') || 'no lines', lines);
      for (const l of lines) console.log(ctx.flags.json ? JSON.stringify(l) : logLine(l));
      await new Promise((r) => setTimeout(r, LOGS_INTERVAL_MS));
    }
  },
  async follow(ctx) {
    const deploymentId = required(ctx, 0, 'bakeshift follow <deploymentId>');
    const operations = await ctx.operations();
    const { record } = await operations.deployment({ deploymentId });
    await followDeployment(ctx, operations, deploymentId, record?.version ?? deploymentId);
  },
  /** Saves where the commands go from now on (`--target` still overrides it for one command). */
  async target(ctx) {
    const kind = required(ctx, 0, 'bakeshift target <local|aws> [--region R]');
    const target = await resolveTarget(ctx.home, { target: kind, region: ctx.text('region') });
    await saveTarget(ctx.home, target);
    ctx.print(
      `commands in ${ctx.home} now go to ${kind === 'aws' ? `AWS${target.kind === 'aws' && target.region ? ` (${target.region})` : ''}` : 'the local control plane'}`,
      target,
    );
  },
  /** Prints the control plane's events; with --follow, keeps printing new ones until interrupted. */
  async events(ctx) {
    const operations = await ctx.operations();
    let after = 0;
    for (;;) {
      const page = await operations.events({ after });
      // Without --follow, one document (the list) as --json promises; following, one JSON line per event.
      if (!ctx.flags.follow) return ctx.print(page.events.map(eventLine).join('\n'), page.events);
      for (const event of page.events) console.log(ctx.flags.json ? JSON.stringify(event) : eventLine(event));
      after = page.next;
      await new Promise((r) => setTimeout(r, EVENTS_INTERVAL_MS));
    }
  },
  approve: (ctx) => decide(ctx, true),
  reject: (ctx) => decide(ctx, false),
  async promote(ctx) {
    const usage = 'bakeshift promote <service> --from staging --to prod';
    const service = required(ctx, 0, usage);
    const [from, to] = [ctx.text('from'), ctx.text('to')];
    if (!from || !to) throw new UsageError(`usage: ${usage}`);
    const started = await (await ctx.operations()).promote({ service, from, to, requestedBy: requester() });
    ctx.print(
      `promoting ${service} ${started.version} (${started.imageId}) from ${from} to ${to}: ${started.deploymentId}`,
      started,
    );
  },
  async rollback(ctx) {
    const service = required(ctx, 0, 'bakeshift rollback <service> [--env staging] [--to VERSION]');
    const environment = environmentOf(ctx);
    const toVersion = ctx.text('to');
    const operations = await ctx.operations();
    const started = await operations.rollback({
      service,
      environment,
      ...(toVersion ? { toVersion } : {}),
      requestedBy: requester(),
    });
    if (started.kind === 'traffic-shift')
      return ctx.print(
        `${service}/${environment}: traffic goes back to ${started.version ?? 'the warm blue'} now (${started.deploymentId} stops and rolls back)`,
        started,
      );
    if (ctx.flags['no-follow'] || ctx.flags.json)
      return ctx.print(
        `${service}/${environment}: redeploying ${started.version}: ${started.deploymentId}`,
        started,
      );
    console.log(
      `deployment ${started.deploymentId}: ${service} back to ${started.version} (image ${started.imageId}, no bake) by blue/green`,
    );
    await followDeployment(ctx, operations, started.deploymentId, started.version, { service, environment });
  },
  async janitor(ctx) {
    const dryRun = ctx.flags['dry-run'] === true;
    const reports = await (await ctx.operations()).janitor({ dryRun });
    const verb = dryRun ? 'would remove' : 'removed';
    // A dry run also says what is kept and why (ADR 32); any run says when no fleet could be judged.
    const lines = reports.flatMap((r) =>
      r.skipped
        ? [`${r.service}: skipped, its configuration cannot be read: ${r.skipped}`]
        : [
            `${r.service}: ${verb} ${r.removed.map((x) => `${x.kind} ${x.id}`).join(', ') || 'nothing'}`,
            ...(dryRun ? r.kept.map((k) => `  keeps ${k.kind} ${k.id}: ${k.why.join('; ')}`) : []),
            ...(r.routingUnread
              ? [`  removes no fleet: the load balancer could not be read (${r.routingUnread})`]
              : []),
          ],
    );
    ctx.print(lines.join('\n'), reports);
  },
  async congruence(ctx) {
    const service = required(ctx, 0, 'bakeshift congruence <service> [--env staging]');
    const environment = environmentOf(ctx);
    const started = await (await ctx.operations()).congruence({ service, environment });
    ctx.print(`congruence run ${started.deploymentId} started for ${service}/${environment}`, started);
  },
};
