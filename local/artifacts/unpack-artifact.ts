import { mkdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import * as tar from 'tar';
import {
  type ArtifactManifest,
  MANIFEST_FILE,
  parseArtifactManifest,
} from '../../core/config/artifact-manifest.js';
import { BakeFailed } from '../../core/errors.js';

export interface UnpackLimits {
  maxFiles: number;
  maxBytes: number;
}

/** Generous for an app, small enough that a compression bomb stops long before the disk fills. */
export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxFiles: 10_000, maxBytes: 512 * 1024 * 1024 };

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** An entry's path inside the image, or undefined when it would land outside it. */
function insidePath(path: string): string | undefined {
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) return undefined;
  const normal = posix.normalize(path.replaceAll('\\', '/'));
  if (normal === '..' || normal.startsWith('../')) return undefined;
  return normal;
}

/**
 * Checks every entry of a .tgz before a byte is written: no path outside the image (`..`, absolute), no link
 * pointing outside it, no device or other special file, at most `maxFiles` entries and `maxBytes` in all.
 * Each rejection is a BakeFailed naming the entry and the rule.
 */
export async function checkArtifact(
  file: string,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): Promise<void> {
  let files = 0;
  let bytes = 0;
  let violation: string | undefined;
  const reject = (message: string) => {
    violation ??= message;
  };
  try {
    await tar.t({
      file,
      strict: true,
      // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one pass over the tar entries; each unsafe kind of entry (path, link, device, FIFO, size) is its own refusal
      onReadEntry: (entry) => {
        const where = insidePath(entry.path);
        if (!where) return reject(`entry "${entry.path}": its path leads outside the image`);
        if (!ALLOWED_TYPES.has(entry.type)) {
          return reject(
            `entry "${entry.path}": ${entry.type} entries are not allowed (only files, directories, links)`,
          );
        }
        if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
          const target = entry.linkpath ?? '';
          const resolved = entry.type === 'Link' ? target : posix.join(posix.dirname(where), target);
          if (isAbsolute(target) || !insidePath(resolved)) {
            return reject(`entry "${entry.path}": its link to "${target}" points outside the image`);
          }
        }
        files += 1;
        bytes += entry.size ?? 0;
        if (files > limits.maxFiles) reject(`entry "${entry.path}": more than ${limits.maxFiles} entries`);
        if (bytes > limits.maxBytes)
          reject(`entry "${entry.path}": more than ${limits.maxBytes} bytes unpacked`);
      },
    });
  } catch (error) {
    throw new BakeFailed(`${file}: not a readable .tgz artifact (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (violation) throw new BakeFailed(`${file}: ${violation}`);
}

/** Checks, then unpacks the artifact into `directory` and returns its manifest. */
export async function unpackArtifact(
  file: string,
  directory: string,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): Promise<ArtifactManifest> {
  await checkArtifact(file, limits);
  await mkdir(directory, { recursive: true });
  await tar.x({ file, cwd: directory, strict: true, preservePaths: false, preserveOwner: false });
  return readManifest(directory);
}

export async function readManifest(directory: string): Promise<ArtifactManifest> {
  const path = join(directory, MANIFEST_FILE);
  const found = await stat(path).catch(() => undefined);
  if (!found?.isFile()) throw new BakeFailed(`${MANIFEST_FILE}: missing at the artifact's root`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new BakeFailed(`${MANIFEST_FILE}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseArtifactManifest(raw);
}
