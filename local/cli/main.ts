import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeDrift } from '../../core/congruence/drift-report.js';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { formatDurations, phaseDurations } from '../../core/deployment/phase-durations.js';
import { packDirectory } from '../artifacts/pack-directory.js';
import { rawManifestOf } from '../artifacts/read-manifest.js';
import { startApiServer } from '../control-plane/api-server.js';
import { ControlPlane } from '../control-plane/control-plane.js';
import { routeStructuredLogs } from '../control-plane/route-structured-logs.js';
import type { EventLog } from '../engine/local-execution.js';
import { progressLines } from '../progress/progress-printer.js';
import { COMMON_OPTIONS, commandHelp, commandNamed, overview } from './command-table.js';
import { initApp } from './init-app.js';

class UsageError extends Error {}

const [commandName = '', ...commandArgs] = process.argv.slice(2);
const command = commandNamed(commandName);
const parsed = (() => {
  try {
    return parseArgs({
      args: commandArgs,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...command?.options },
    });
  } catch (error) {
    // node:util names the option: "Unknown option '--foo'".
    const reason = (error as Error).message.split('. ')[0];
    console.error(`bakeshift ${commandName}: ${reason} (see bakeshift ${commandName} --help)`);
    process.exit(2);
  }
})();
const flags = parsed.values as Record<string, string | boolean | undefined> & {
  json: boolean;
  help: boolean;
  env?: string;
  lines?: string;
};
const positionals = [commandName, ...parsed.positionals];
const text = (name: string) => flags[name] as string | undefined;

const home = resolve(text('home') ?? process.env.BAKESHIFT_HOME ?? '.bakeshift');
const apiFile = join(home, 'api.json');
const print = (human: string, json: unknown) => console.log(flags.json ? JSON.stringify(json) : human);

async function api<T>(method: string, path: string, payload?: unknown): Promise<T> {
  const text = await readFile(apiFile, 'utf8').catch(() => undefined);
  if (!text) throw new UsageError(`no control plane for ${home}: start one with \`bakeshift up\``);
  const { url } = JSON.parse(text) as { url: string };
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(payload ? { body: JSON.stringify(payload) } : {}),
    });
  } catch {
    throw new UsageError(`the control plane at ${url} does not answer: is \`bakeshift up\` running?`);
  }
  const result = (await response.json()) as T & { error?: string };
  if (!response.ok && result.error) throw new UsageError(result.error);
  return result;
}

async function up() {
  await mkdir(join(home, 'logs'), { recursive: true });
  routeStructuredLogs(join(home, 'logs', 'control-plane.jsonl'), {
    echo: flags.verbose === true || text('log-level') !== undefined,
  });
  const servicesDir = resolve(text('services') ?? join(home, 'services'));
  await mkdir(servicesDir, { recursive: true });
  const slack =
    process.env.SLACK_BOT_TOKEN && process.env.SLACK_SIGNING_SECRET
      ? { botToken: process.env.SLACK_BOT_TOKEN, signingSecret: process.env.SLACK_SIGNING_SECRET }
      : undefined;
  const { controlPlane, reconciled } = await ControlPlane.start({
    home,
    servicesDir,
    ...(slack ? { slack } : {}),
  });
  const { url, server } = await startApiServer(controlPlane, Number(text('api-port') ?? '0'));
  await writeFile(apiFile, JSON.stringify({ url, pid: process.pid }));
  controlPlane.events.subscribe((event) => {
    if (event.type === 'deployment')
      console.log(
        `${event.at} ${event.kind} ${event.service}/${event.environment} ${event.version} ${event.detail ?? ''}`,
      );
    if (event.type === 'approval')
      console.log(
        `approval requested for ${event.view.deploymentId}: bakeshift approve ${event.view.deploymentId}`,
      );
  });
  console.log(`bakeshift control plane (home ${home}, services ${servicesDir})`);
  console.log(`  API: ${url}`);
  if (slack)
    console.log(`  Slack: interactivity ${url}/slack/interactivity, slash command ${url}/slack/commands`);
  if (reconciled.orphansKilled || reconciled.compensated.length || reconciled.bakesCancelled.length) {
    console.log(
      `  recovered from an earlier stop: ${reconciled.orphansKilled} orphan processes killed, ` +
        `${reconciled.bakesCancelled.length} bakes cancelled, ${reconciled.compensated.length} deployments rolled back`,
    );
  }
  for (const run of controlPlane.scheduler.scheduled()) {
    console.log(
      `  congruence ${run.service}/${run.environment}: ${run.schedule} (${run.timeZone}), next ${run.nextRun}`,
    );
  }
  for (const listener of controlPlane.listeners()) {
    console.log(
      `  ${listener.service}/${listener.environment}: ${listener.url} (preview ${listener.previewUrl})`,
    );
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('stopping: instances get SIGTERM, then SIGKILL after their grace period');
    server.close();
    await controlPlane.stop();
    await rm(apiFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/**
 * A release's version when none is given: bakeshift.json's, else package.json's, else the tarball's name's
 * (`app-1.2.3.tgz`), else a digest of its content. Never a directory's name: that says nothing of what is in it.
 */
async function defaultVersion(given: string, packed: string): Promise<string> {
  const manifest = await rawManifestOf(given).catch(() => undefined);
  const fromManifest = manifest ? (JSON.parse(manifest) as { version?: unknown }).version : undefined;
  if (typeof fromManifest === 'string' && fromManifest) return fromManifest;
  const pkg = (await stat(given)).isDirectory()
    ? await readFile(join(given, 'package.json'), 'utf8').catch(() => undefined)
    : undefined;
  const fromPackage = pkg ? (JSON.parse(pkg) as { version?: unknown }).version : undefined;
  if (typeof fromPackage === 'string' && fromPackage) return fromPackage;
  const named = /-(\d[\w.+-]*)\.tgz$/.exec(basename(given))?.[1];
  if (named) return named;
  return `sha-${createHash('sha256')
    .update(await readFile(packed))
    .digest('hex')
    .slice(0, 12)}`;
}

async function deploy() {
  const [service, artifact] = positionals.slice(1);
  if (!service || !artifact)
    throw new UsageError(
      'usage: bakeshift deploy <service> <artifact.tgz|dir> [--env staging] [--version V]',
    );
  let file = resolve(artifact);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`${artifact}: no such file or directory`);
  if (info.isDirectory()) {
    const packed = join(await mkdtemp(join(tmpdir(), 'bakeshift-pack-')), `${basename(file)}.tgz`);
    await packDirectory(file, packed);
    file = packed;
  }
  const version = text('version') ?? (await defaultVersion(resolve(artifact), file));
  const started = await api<{ deploymentId: string; started: boolean }>('POST', '/deployments', {
    service,
    environment: flags.env,
    version,
    artifactFile: file,
    requestedBy: process.env.USER ?? 'cli',
  });
  if (!started.started)
    return print(`${started.deploymentId}: this artifact was deployed already; nothing started`, started);
  if (!flags.json) console.log(`deployment ${started.deploymentId}: ${service} ${version} to ${flags.env}`);
  if (flags['no-follow']) return print('', started);
  const show = progressLines(`  ${version}`, (line) => {
    if (!flags.json) console.log(line);
  });
  let seen = 0;
  for (;;) {
    const current = await api<{ record: { status: string } | null; status: string; events: EventLog[] }>(
      'GET',
      `/deployments/${started.deploymentId}`,
    );
    for (const event of current.events.slice(seen)) show(event);
    seen = current.events.length;
    if (current.status !== 'RUNNING') {
      if (flags.json) console.log(JSON.stringify(current.record));
      process.exitCode = current.record?.status === 'succeeded' ? 0 : 1;
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Prints the control plane's event log; with --follow, keeps printing new events until interrupted. */
async function events() {
  const file = join(home, 'events.jsonl');
  let printed = 0;
  for (;;) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    for (const line of lines.slice(printed)) {
      const event = JSON.parse(line) as {
        time: string;
        type: string;
        kind?: string;
        service?: string;
        environment?: string;
        version?: string;
        detail?: string;
        view?: { deploymentId: string; status: string };
      };
      if (flags.json) console.log(line);
      else if (event.type === 'deployment')
        console.log(
          `${event.time} ${event.kind} ${event.service}/${event.environment} ${event.version}${event.detail ? ` (${event.detail})` : ''}`,
        );
      else console.log(`${event.time} ${event.type} ${event.view?.deploymentId} ${event.view?.status}`);
    }
    printed = lines.length;
    if (!flags.follow) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  if (!command) {
    if (commandName && !commandName.startsWith('-'))
      throw new UsageError(`unknown command "${commandName}"\n\n${overview()}`);
    return console.log(overview());
  }
  if (flags.help) return console.log(commandHelp(command));
  switch (command.name) {
    case 'init': {
      const dir = positionals[1] ?? '.';
      const result = await initApp({
        dir,
        servicesDir: text('services') ?? join(home, 'services'),
        force: flags.force === true,
        ...(text('start') ? { start: text('start') } : {}),
        ...(text('health-path') ? { healthPath: text('health-path') } : {}),
        ...(text('service') ? { service: text('service') } : {}),
      });
      return print(
        [
          `wrote ${result.manifestFile}`,
          `wrote ${result.configFile}`,
          ...result.notes.map((note) => `  ${note}`),
          '',
          'next: `bakeshift up` (in another terminal), then',
          `      bakeshift deploy ${result.service} ${dir}`,
        ].join('\n'),
        result,
      );
    }
    case 'up':
      return up();
    case 'deploy':
      return deploy();
    case 'status': {
      const result = await api<{
        services: {
          service: string;
          environment: string;
          live: { version: string } | null;
          lock: string | null;
          url: string | null;
          instances: number;
        }[];
      }>('GET', '/status');
      const lines = result.services.map(
        (s) =>
          `${s.service}/${s.environment}: ${s.live ? `${s.live.version} on ${s.instances} instances` : 'nothing live'}${s.lock ? `, deploying (${s.lock})` : ''}${s.url ? ` at ${s.url}` : ''}`,
      );
      return print(lines.join('\n') || 'no services configured', result);
    }
    case 'history': {
      const service = positionals[1];
      if (!service) throw new UsageError('usage: bakeshift history <service> [--env staging]');
      const records = await api<DeploymentRecord[]>(
        'GET',
        `/history?service=${service}&environment=${flags.env}`,
      );
      const lines = records.map((r) => {
        const durations = formatDurations(phaseDurations(r, new Date(r.finishedAt ?? Date.now())));
        const who = `${r.trigger} by ${r.requestedBy}${r.approvedBy ? `, approved by ${r.approvedBy}` : ''}`;
        const cause = r.failure ? `\n    ${r.failure.step}: ${r.failure.error}: ${r.failure.cause}` : '';
        const drift = r.drift ? `\n    drift before the run: ${summarizeDrift(r.drift)}` : '';
        return `${r.requestedAt} ${r.version} ${r.status} (${who}) image ${r.imageId ?? '-'}\n    ${durations}${cause}${drift}`;
      });
      return print(lines.join('\n') || 'no deployments yet', records);
    }
    case 'logs': {
      const service = positionals[1];
      if (!service) throw new UsageError('usage: bakeshift logs <service> [--lines 50]');
      const lines = await api<{ time: string; instanceId: string; stream: string; message: string }[]>(
        'GET',
        `/logs?service=${service}&lines=${flags.lines}`,
      );
      return print(lines.map((l) => `${l.time} ${l.instanceId} ${l.stream}: ${l.message}`).join('\n'), lines);
    }
    case 'approve':
    case 'reject': {
      const deploymentId = positionals[1];
      if (!deploymentId) throw new UsageError(`usage: bakeshift ${command.name} <deploymentId> [--as NAME]`);
      const by = text('as') ?? process.env.USER ?? 'cli';
      const result = await api<{ outcome: string }>('POST', `/deployments/${deploymentId}/decision`, {
        approve: command.name === 'approve',
        by,
      });
      return print(`${deploymentId}: ${result.outcome}`, result);
    }
    case 'events':
      return events();
    case 'promote': {
      const service = positionals[1];
      if (!service || !text('from') || !text('to'))
        throw new UsageError('usage: bakeshift promote <service> --from staging --to prod');
      const started = await api<{ deploymentId: string; version: string; imageId: string }>(
        'POST',
        '/promotions',
        {
          service,
          from: text('from'),
          to: text('to'),
          requestedBy: process.env.USER ?? 'cli',
        },
      );
      return print(
        `promoting ${service} ${started.version} (${started.imageId}) from ${text('from')} to ${text('to')}: ${started.deploymentId}`,
        started,
      );
    }
    case 'rollback': {
      const service = positionals[1];
      if (!service)
        throw new UsageError('usage: bakeshift rollback <service> [--env staging] [--to VERSION]');
      const started = await api<{ kind: string; deploymentId: string; version?: string }>(
        'POST',
        '/rollbacks',
        {
          service,
          environment: flags.env,
          ...(text('to') ? { toVersion: text('to') } : {}),
          requestedBy: process.env.USER ?? 'cli',
        },
      );
      const human =
        started.kind === 'traffic-shift'
          ? `${service}/${flags.env}: ${started.deploymentId} returns traffic to the warm blue now`
          : `${service}/${flags.env}: redeploying ${started.version} by blue/green: ${started.deploymentId}`;
      return print(human, started);
    }
    case 'janitor': {
      const reports = await api<{ service: string; removed: { kind: string; id: string }[] }[]>(
        'POST',
        '/janitor',
        { dryRun: flags['dry-run'] },
      );
      const verb = flags['dry-run'] ? 'would remove' : 'removed';
      const lines = reports.map(
        (r) => `${r.service}: ${verb} ${r.removed.map((x) => `${x.kind} ${x.id}`).join(', ') || 'nothing'}`,
      );
      return print(lines.join('\n'), reports);
    }
    case 'congruence': {
      const service = positionals[1];
      if (!service) throw new UsageError('usage: bakeshift congruence <service> [--env staging]');
      const started = await api<{ deploymentId: string }>('POST', `/congruence/${service}/${flags.env}`);
      return print(`congruence run ${started.deploymentId} started for ${service}/${flags.env}`, started);
    }
    default:
      throw new UsageError(`unknown command "${command.name}"`);
  }
}

main().catch((error: unknown) => {
  const refused = error instanceof UsageError || (error as Error).name === 'Refused';
  console.error(refused ? `bakeshift: ${(error as Error).message}` : error);
  process.exitCode = 2;
});
