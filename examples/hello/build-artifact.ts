import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packDirectory } from '../../local/artifacts/pack-directory.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const HELLO_SERVICE_CONFIG = join(here, 'hello.service.json');

/** Packs the hello app with one release's settings into `<directory>/hello-<version>.tgz`. */
export async function buildHelloArtifact(version: string, directory: string): Promise<string> {
  const staging = await mkdtemp(join(tmpdir(), `hello-${version}-`));
  try {
    await cp(join(here, 'app'), staging, { recursive: true });
    await writeFile(join(staging, 'release.json'), await readFile(join(here, 'releases', `${version}.json`)));
    const file = join(directory, `hello-${version}.tgz`);
    await packDirectory(staging, file);
    return file;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
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
