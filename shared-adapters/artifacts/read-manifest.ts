import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { MANIFEST_FILE, parseArtifactManifest } from '../../core/config/artifact-manifest.js';
import { BakeFailed } from '../../core/errors.js';
import { assertGzipTarball } from './gzip-tarball.js';

/**
 * The raw bakeshift.json of an artifact (a .tgz, or a directory about to be packed); undefined if absent. A file
 * that is not a gzip tarball is a BakeFailed saying so, not an archive without a manifest.
 */
export async function rawManifestOf(artifact: string): Promise<string | undefined> {
  if ((await stat(artifact)).isDirectory())
    return readFile(join(artifact, MANIFEST_FILE), 'utf8').catch(() => undefined);
  await assertGzipTarball(artifact);
  let found: string | undefined;
  await tar
    .t({
      file: artifact,
      strict: true,
      filter: (path) => path === MANIFEST_FILE || path === `./${MANIFEST_FILE}`,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          found = Buffer.concat(chunks).toString('utf8');
        });
      },
    })
    .catch((error: Error) => {
      throw new BakeFailed(`the artifact is not a readable tarball (${error.message})`, { cause: error });
    });
  return found;
}

/** The artifact's manifest, validated: a missing or invalid one fails naming the file, field and reason. */
export async function readManifest(artifact: string) {
  const raw = await rawManifestOf(artifact);
  if (raw === undefined)
    throw new BakeFailed(
      `${MANIFEST_FILE}: missing at the artifact's root (write one with \`bakeshift init\`)`,
    );
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new BakeFailed(`${MANIFEST_FILE}: not valid JSON (${(error as Error).message})`);
  }
  return parseArtifactManifest(json);
}
