import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packDirectory } from '../../local/artifacts/pack-directory.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const HELLO_SERVICE_CONFIG = join(here, 'hello.service.json');

/**
 * Packs the hello app with one release's settings into `<directory>/hello-<version>.tgz`; `ballastBytes` adds a
 * file of that many incompressible bytes (a large release, for the bench).
 */
export async function buildHelloArtifact(
  version: string,
  directory: string,
  options: { ballastBytes?: number } = {},
): Promise<string> {
  const staging = await mkdtemp(join(tmpdir(), `hello-${version}-`));
  try {
    await cp(join(here, 'app'), staging, { recursive: true });
    await writeFile(join(staging, 'release.json'), JSON.stringify(await releaseOf(version)));
    if (options.ballastBytes) await writeBallast(join(staging, 'ballast.bin'), options.ballastBytes);
    const file = join(directory, `hello-${version}.tgz`);
    await packDirectory(staging, file);
    return file;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * A release's settings: `releases/<version>.json`, or for `<version>-<label>` (e.g. `2.0.0-run.7`, a distinct
 * artifact of the same behaviour) that version's settings under the longer name.
 */
async function releaseOf(version: string): Promise<Record<string, unknown>> {
  const read = async (name: string) =>
    JSON.parse(await readFile(join(here, 'releases', `${name}.json`), 'utf8')) as Record<string, unknown>;
  const base = /^(\d+\.\d+\.\d+)-[\w.]+$/.exec(version)?.[1];
  return base ? { ...(await read(base)), version } : read(version);
}

/** Random bytes (gzip cannot shrink them), written in 1 MiB pieces. */
async function writeBallast(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  for (let written = 0; written < bytes; written += 1 << 20) {
    if (!out.write(randomBytes(Math.min(1 << 20, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Writes `<directory>/hello.json`: the example configuration, with staging settings overridden. */
export async function writeHelloServiceConfig(
  directory: string,
  staging: Record<string, unknown> = {},
): Promise<void> {
  const config = JSON.parse(await readFile(HELLO_SERVICE_CONFIG, 'utf8'));
  Object.assign(config.environments.staging, staging);
  await writeFile(join(directory, 'hello.json'), JSON.stringify(config, null, 2));
}
