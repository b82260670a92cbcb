import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { rawManifestOf } from '../../shared-adapters/artifacts/read-manifest.js';
import { approverName } from '../approver-name.js';
import { type CliContext, required, UsageError } from './cli-context.js';
import { followDeployment } from './follow-deployment.js';

export { followDeployment };

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

/**
 * The artifact to upload: the given tarball, or the given directory packed into a temporary directory, removed
 * by `done` once the artifact is stored (the control plane keeps its own copy; on AWS it is uploaded).
 */
async function artifactFile(given: string): Promise<{ file: string; done: () => Promise<void> }> {
  const file = resolve(given);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UsageError(`${given}: no such file or directory`);
  if (!info.isDirectory()) return { file, done: async () => undefined };
  const temporary = await mkdtemp(join(tmpdir(), 'bakeshift-pack-'));
  const done = () => rm(temporary, { recursive: true, force: true });
  try {
    const packed = join(temporary, `${basename(file)}.tgz`);
    await packDirectory(file, packed);
    return { file: packed, done };
  } catch (error) {
    await done();
    throw error;
  }
}

/** `--override-freeze --reason R`: the approver's leave to deploy this version during a freeze, kept first. */
async function overrideFreezes(
  ctx: CliContext,
  operations: Awaited<ReturnType<CliContext['operations']>>,
  release: { service: string; environment: string; version: string },
) {
  const reason = ctx.text('reason');
  if (!reason) throw new UsageError('--override-freeze needs --reason R: why this deployment cannot wait');
  const by = await approverName(await ctx.target(), ctx.home, undefined);
  const override = await operations.overrideFreeze({ ...release, reason, by });
  if (!ctx.flags.json)
    console.log(
      `freeze overridden for ${release.service} ${release.version} in ${release.environment} by ${override.by}`,
    );
}

/** `bakeshift deploy <service> <artifact|dir>`: uploads, starts and follows a deployment. */
export async function runDeploy(ctx: CliContext): Promise<void> {
  const usage = 'bakeshift deploy <service> <artifact.tgz|dir> [--env staging] [--version V]';
  const service = required(ctx, 0, usage);
  const given = required(ctx, 1, usage);
  const artifact = await artifactFile(given);
  const environment = ctx.text('env') ?? 'staging';
  let started: Awaited<ReturnType<Awaited<ReturnType<CliContext['operations']>>['deploy']>>;
  let version: string;
  const operations = await ctx.operations();
  try {
    version = ctx.text('version') ?? (await defaultVersion(resolve(given), artifact.file));
    if (ctx.flags['override-freeze'])
      await overrideFreezes(ctx, operations, { service, environment, version });
    started = await operations.deploy({
      service,
      environment,
      version,
      artifactFile: artifact.file,
      requestedBy: process.env.USER ?? 'cli',
      forceNewVersion: ctx.flags['force-new-version'] === true,
    });
  } catch (error) {
    // A refusal about the packed directory names the directory, not the temporary tarball made of it.
    if (error instanceof Error && artifact.file !== resolve(given))
      error.message = error.message.replaceAll(artifact.file, given);
    throw error;
  } finally {
    await artifact.done();
  }
  if (started.alreadyLive)
    return ctx.print(
      `${service} ${version} is already live in ${environment} (${started.deploymentId}), with this very content: nothing to deploy`,
      started,
    );
  if (!ctx.flags.json)
    console.log(
      started.started
        ? `deployment ${started.deploymentId}: ${service} ${version} to ${environment}`
        : `deployment ${started.deploymentId} is already deploying this artifact: following it`,
    );
  if (ctx.flags['no-follow']) return ctx.print('', started);
  await followDeployment(ctx, operations, started.deploymentId, version, { service, environment });
}
