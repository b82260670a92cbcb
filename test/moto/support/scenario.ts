import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, inject } from 'vitest';
import { packDirectory } from '../../../local/artifacts/pack-directory.js';
import { MotoServer } from './moto-server.js';
import { MotoWorld } from './moto-world.js';
import { motoClientConfig, readSynthesized } from './stack-in-moto.js';

const HELLO = new URL('../../../examples/hello/app', import.meta.url).pathname;

/** One moto_server for a test file; each scenario makes its own world on it (moto reset, the stack deployed). */
export function motoSuite() {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await MotoServer.start();
  });
  afterAll(async () => moto?.stop());
  return {
    /** A new world: moto reset, the stack deployed into it. */
    world: async () => {
      if (!moto) throw new Error('moto_server did not start');
      return MotoWorld.create(moto, readSynthesized(inject('cdkOut')));
    },
    log: () => moto?.log() ?? '',
  };
}

/** The hello example packed as an artifact of `version`, its manifest changed by `manifest`. */
export async function helloArtifact(
  version: string,
  manifest: Record<string, unknown> = {},
): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'moto-hello-'));
  await cp(HELLO, dir, { recursive: true });
  const original = JSON.parse(await readFile(join(dir, 'bakeshift.json'), 'utf8'));
  await writeFile(join(dir, 'bakeshift.json'), JSON.stringify({ ...original, ...manifest }));
  await writeFile(join(dir, 'release.json'), JSON.stringify({ version }));
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
  if (started.length !== 1) throw new Error(`the upload of ${version} started ${started.length} executions`);
  return (started[0] as [string, import('../../../local/engine/local-execution.js').LocalExecution])[1];
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
