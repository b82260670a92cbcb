import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { packDirectory } from '../../../local/artifacts/pack-directory.js';
import type { LocalExecution } from '../../../local/engine/local-execution.js';
import { MotoStack, type MotoWorld } from './moto-world.js';
import { motoClientConfig, readSynthesized } from './stack-in-moto.js';

const HELLO = new URL('../../../examples/hello/app', import.meta.url).pathname;

let deployed: Promise<MotoStack> | undefined;

/**
 * A scenario's world on the run's moto_server: the stack is deployed into it once for the run (the suite runs
 * its files in one worker that shares this module), and moto reset to the stack alone for each scenario.
 */
export async function motoScenario(): Promise<MotoWorld> {
  deployed ??= MotoStack.deploy(inject('motoEndpoint'), readSynthesized(inject('cdkOut')));
  return (await deployed).scenario();
}

/** A copy of the hello example as `version`: its manifest changed by `manifest`, its version in release.json. */
export async function helloApp(version: string, manifest: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moto-hello-'));
  await cp(HELLO, dir, { recursive: true });
  const original = JSON.parse(await readFile(join(dir, 'bakeshift.json'), 'utf8'));
  await writeFile(join(dir, 'bakeshift.json'), JSON.stringify({ ...original, ...manifest }));
  await writeFile(join(dir, 'release.json'), JSON.stringify({ version }));
  return dir;
}

/** The hello example packed as an artifact of `version`, its manifest changed by `manifest`. */
export async function helloArtifact(
  version: string,
  manifest: Record<string, unknown> = {},
): Promise<Buffer> {
  const dir = await helloApp(version, manifest);
  const file = `${dir}.tgz`;
  await packDirectory(dir, file);
  const bytes = await readFile(file);
  await rm(dir, { recursive: true, force: true });
  await rm(file, { force: true });
  return bytes;
}

/**
 * Uploads an artifact as CI does (`<service>/<environment>/<version>.tgz` in the stack's bucket), which starts a
 * deployment through the stack's rule; resolves with that execution once it has started.
 */
export async function upload(
  world: MotoWorld,
  environment: string,
  version: string,
  manifest?: Record<string, unknown>,
) {
  const before = new Set(world.stepFunctions.executions.keys());
  const s3 = new S3Client(motoClientConfig(world.front.endpoint));
  await s3.send(
    new PutObjectCommand({
      Bucket: world.stack.outputs.ArtifactBucketName,
      Key: `web/${environment}/${version}.tgz`,
      Body: await helloArtifact(version, manifest),
    }),
  );
  await world.events.settled();
  const started = [...world.stepFunctions.executions.entries()].filter(([name]) => !before.has(name));
  const [only, ...others] = started;
  if (!only || others.length > 0)
    throw new Error(`the upload of ${version} started ${started.length} executions`);
  return only[1] as LocalExecution;
}

/** The states an execution entered, in order. */
export const statesOf = (execution: { events: { type: string }[] }) =>
  execution.events.flatMap((e) =>
    e.type === 'StateEntered' ? [(e as unknown as { state: { name: string } }).state.name] : [],
  );

/** Polls `check` until it answers (bounded). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}
