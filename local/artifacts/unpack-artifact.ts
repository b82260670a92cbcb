import { mkdir, readFile, stat, symlink } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import * as tar from 'tar';
import {
  type ArtifactManifest,
  MANIFEST_FILE,
  parseArtifactManifest,
} from '../../core/config/artifact-manifest.js';
import { BakeFailed } from '../../core/errors.js';
import { assertGzipTarball } from '../../shared-adapters/artifacts/gzip-tarball.js';
import { checkImageTree } from './check-image-tree.js';
import { removeImageTree } from './image-tree.js';
import { type ImageNode, resolveLink } from './resolve-link.js';

export interface UnpackLimits {
  maxFiles: number;
  maxBytes: number;
}

/** Generous for an app, small enough that a compression bomb stops long before the disk fills. */
export const DEFAULT_UNPACK_LIMITS: UnpackLimits = { maxFiles: 10_000, maxBytes: 512 * 1024 * 1024 };

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

export interface ArchiveEntry {
  path: string;
  type: string;
  linkpath: string;
}

/** An entry's path inside the image (`a/b`, '' for the root), or undefined when it would land outside it. */
function insidePath(path: string): string | undefined {
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) return undefined;
  const normal = posix.normalize(path.replaceAll('\\', '/')).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) return undefined;
  return normal === '.' ? '' : normal;
}

/** The first directory above `path` that an earlier entry made a link, if any. */
function linkOnTheWay(nodes: Map<string, ImageNode>, path: string): string | undefined {
  const parts = path.split('/');
  for (let end = 1; end < parts.length; end += 1) {
    const prefix = parts.slice(0, end).join('/');
    if (nodes.get(prefix)?.kind === 'link') return prefix;
  }
  return undefined;
}

/**
 * Each link entry resolved against the links the archive made before it: a symbolic link must lead inside the
 * image; no entry may be written through a link, nor a hard link made through or to one (a hard link to a link is
 * a copy of it somewhere else); a link may not share its path with another entry. Links a later entry re-points
 * are caught once unpacked, by checkImageTree.
 */
async function linkViolation(entries: ArchiveEntry[]): Promise<string | undefined> {
  const nodes = new Map<string, ImageNode>([['', { kind: 'other' }]]);
  for (const entry of entries) {
    const violation = await entryLinkViolation(nodes, entry);
    if (violation) return violation;
    const { path, type, linkpath } = entry;
    const parts = path.split('/');
    for (let end = 1; end < parts.length; end += 1) {
      const parent = parts.slice(0, end).join('/');
      if (!nodes.has(parent)) nodes.set(parent, { kind: 'other' });
    }
    nodes.set(path, type === 'SymbolicLink' ? { kind: 'link', target: linkpath } : { kind: 'other' });
  }
  return undefined;
}

async function entryLinkViolation(nodes: Map<string, ImageNode>, { path, type, linkpath }: ArchiveEntry) {
  const through = linkOnTheWay(nodes, path) ?? (type === 'Link' ? linkOnTheWay(nodes, linkpath) : undefined);
  if (through) return `entry "${path}": it goes through the link "${through}"`;
  if (nodes.has(path) && (type === 'SymbolicLink' || nodes.get(path)?.kind === 'link'))
    return `entry "${path}": a link where another entry is, or an entry where a link is`;
  if (type === 'Link' && nodes.get(linkpath)?.kind === 'link')
    return `entry "${path}": a hard link to the link "${linkpath}"`;
  if (type !== 'SymbolicLink') return undefined;
  const resolution = await resolveLink((p) => nodes.get(p), posix.dirname(path), linkpath);
  return resolution.inside
    ? undefined
    : `entry "${path}": its link to "${linkpath}" points outside the image (${resolution.reason})`;
}

/** The entries of a .tgz, each checked on its own: its path, its type, and the limits so far. */
async function listEntries(file: string, limits: UnpackLimits) {
  const entries: ArchiveEntry[] = [];
  let bytes = 0;
  let violation: string | undefined;
  const reject = (message: string) => {
    violation ??= message;
  };
  await tar.t({
    file,
    strict: true,
    onReadEntry: (entry) => {
      const where = insidePath(entry.path);
      if (where === undefined) return reject(`entry "${entry.path}": its path leads outside the image`);
      if (!ALLOWED_TYPES.has(entry.type))
        return reject(
          `entry "${entry.path}": ${entry.type} entries are not allowed (only files, directories, links)`,
        );
      const target = entry.linkpath ?? '';
      const linkpath = entry.type === 'Link' ? insidePath(target) : target;
      if (linkpath === undefined)
        return reject(`entry "${entry.path}": its link to "${target}" points outside the image`);
      entries.push({ path: where, type: entry.type, linkpath });
      bytes += entry.size ?? 0;
      if (entries.length > limits.maxFiles)
        reject(`entry "${entry.path}": more than ${limits.maxFiles} entries`);
      if (bytes > limits.maxBytes)
        reject(`entry "${entry.path}": more than ${limits.maxBytes} bytes unpacked`);
    },
  });
  return { entries, violation };
}

/**
 * Checks every entry of a .tgz before a byte is written: a gzip tarball; no path outside the image (`..`,
 * absolute); no link leading outside it, each resolved against the links before it; no device or other special
 * file; at most `maxFiles` entries and `maxBytes` in all. Each rejection is a BakeFailed naming the entry and rule.
 * Returns the archive's symbolic links, in order.
 */
export async function checkArtifact(
  file: string,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): Promise<ArchiveEntry[]> {
  await assertGzipTarball(file).catch((error: Error) => {
    throw new BakeFailed(`${file}: ${error.message}`, { cause: error });
  });
  let listed: Awaited<ReturnType<typeof listEntries>>;
  try {
    listed = await listEntries(file, limits);
  } catch (error) {
    throw new BakeFailed(`${file}: not a readable .tgz artifact (${(error as Error).message})`, {
      cause: error,
    });
  }
  const violation = listed.violation ?? (await linkViolation(listed.entries));
  if (violation) throw new BakeFailed(`${file}: ${violation}`);
  return listed.entries.filter((entry) => entry.type === 'SymbolicLink');
}

/**
 * Checks, unpacks the artifact into `directory`, checks the tree as written (every link's real path inside it) and
 * returns its manifest. A refused tree is removed, never following its links.
 */
export async function unpackArtifact(
  file: string,
  directory: string,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): Promise<ArtifactManifest> {
  const links = await checkArtifact(file, limits);
  await mkdir(directory, { recursive: true });
  try {
    // Links are made last, as GNU tar does: nothing is written through one, and a link may lead to a link (node-tar
    // refuses that when the one it leads to was unpacked first).
    await tar.x({
      file,
      cwd: directory,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (_path, entry) => (entry as tar.ReadEntry).type !== 'SymbolicLink',
    });
    for (const { path, linkpath } of links) {
      await mkdir(join(directory, posix.dirname(path)), { recursive: true });
      await symlink(linkpath, join(directory, path));
    }
    await checkImageTree(directory, `${file}, unpacked`);
  } catch (error) {
    await removeImageTree(directory);
    throw error;
  }
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
