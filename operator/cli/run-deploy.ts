import { createHash } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Operations } from '../../core/operations/operations.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { progressLines } from '../../local/progress/progress-printer.js';
import { rawManifestOf } from '../../shared-adapters/artifacts/read-manifest.js';
import { type CliContext, required, UsageError } from './cli-context.js';

/** How often a followed deployment is looked at again. */
const FOLLOW_INTERVAL_MS = 500;

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

/** The artifact to upload: the given tarball, or the given directory packed. */
async function artifactFile(given: string): Promise<string> {
  const file = resolve(given);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`${given}: no such file or directory`);
  if (!info.isDirectory()) return file;
  const packed = join(await mkdtemp(join(tmpdir(), 'bakeshift-pack-')), `${basename(file)}.tgz`);
  await packDirectory(file, packed);
  return packed;
}

/**
 * Shows a deployment's steps as they end until it finishes; the exit status says whether it succeeded. Bounded
 * by the deployment itself: every Task of the state machine has its own timeout.
 */
export async function followDeployment(
  ctx: CliContext,
  operations: Operations,
  deploymentId: string,
  label: string,
) {
  const show = progressLines(`  ${label}`, (line) => {
    if (!ctx.flags.json) console.log(line);
  });
  let seen = 0;
  for (;;) {
    const current = await operations.deployment({ deploymentId });
    for (const event of current.events.slice(seen)) show(event);
    seen = current.events.length;
    if (current.status !== 'RUNNING') {
      if (ctx.flags.json) console.log(JSON.stringify(current.record));
      process.exitCode = current.record?.status === 'succeeded' ? 0 : 1;
      return;
    }
    await new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS));
  }
}

/** `bakeshift deploy <service> <artifact|dir>`: uploads, starts and follows a deployment. */
export async function runDeploy(ctx: CliContext): Promise<void> {
  const usage = 'bakeshift deploy <service> <artifact.tgz|dir> [--env staging] [--version V]';
  const service = required(ctx, 0, usage);
  const given = required(ctx, 1, usage);
  const file = await artifactFile(given);
  const version = ctx.text('version') ?? (await defaultVersion(resolve(given), file));
  const environment = ctx.text('env') ?? 'staging';
  const operations = await ctx.operations();
  const started = await operations.deploy({
    service,
    environment,
    version,
    artifactFile: file,
    requestedBy: process.env.USER ?? 'cli',
  });
  if (!started.started)
    return ctx.print(`${started.deploymentId}: this artifact was deployed already; nothing started`, started);
  if (!ctx.flags.json)
    console.log(`deployment ${started.deploymentId}: ${service} ${version} to ${environment}`);
  if (ctx.flags['no-follow']) return ctx.print('', started);
  await followDeployment(ctx, operations, started.deploymentId, version);
}
