import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BakeFailed } from '../../core/errors.js';

/** Far more than an app with its dependencies holds; a tree past it is refused rather than walked for hours. */
export const MAX_TREE_ENTRIES = 1_000_000;

export interface TreeEntry {
  /** Relative to the tree's root ('' for the root itself), `/`-separated. */
  path: string;
  absolute: string;
  kind: 'directory' | 'file' | 'link' | 'other';
}

type Visit = (entry: TreeEntry) => unknown;

/**
 * Visits every entry of a tree, each directory before what it holds, and never follows a link: a link is an
 * entry like any other, whatever it points to, so a link out of the tree or a loop of links cannot take the walk
 * anywhere else. Bounded: more than `maxEntries` entries is a BakeFailed.
 */
export async function walkImageTree(root: string, visit: Visit, maxEntries = MAX_TREE_ENTRIES) {
  const top = await lstat(root).catch(() => undefined);
  if (!top) return;
  const rootEntry: TreeEntry = { path: '', absolute: root, kind: kindOf(top) };
  const directories: TreeEntry[] = [];
  let visited = 0;
  const see = async (entry: TreeEntry) => {
    visited += 1;
    if (visited > maxEntries) throw new BakeFailed(`${root}: more than ${maxEntries} entries`);
    await visit(entry);
    if (entry.kind === 'directory') directories.push(entry);
  };
  await see(rootEntry);
  for (let directory = directories.pop(); directory; directory = directories.pop()) {
    for (const child of await readdir(directory.absolute, { withFileTypes: true })) {
      const path = directory.path ? `${directory.path}/${child.name}` : child.name;
      await see({ path, absolute: join(directory.absolute, child.name), kind: kindOf(child) });
    }
  }
}

function kindOf(entry: { isSymbolicLink(): boolean; isDirectory(): boolean; isFile(): boolean }) {
  if (entry.isSymbolicLink()) return 'link';
  if (entry.isDirectory()) return 'directory';
  return entry.isFile() ? 'file' : 'other';
}

/**
 * Immutable: the write bits come off every directory and file (execute bits stay). Links are skipped: a link's own
 * mode means nothing on Linux and chmod would act on whatever it points to.
 */
export async function makeReadOnly(root: string): Promise<void> {
  await walkImageTree(root, async (entry) => {
    if (entry.kind === 'directory') await chmod(entry.absolute, 0o555);
    if (entry.kind === 'file') await chmod(entry.absolute, (await lstat(entry.absolute)).mode & 0o555);
  });
}

/**
 * Removes a tree, read-only directories included: each directory is made writable first (never through a link),
 * then `fs.rm` removes links as links. Best effort and bounded, for discarding and for cleaning up.
 */
export async function removeImageTree(root: string): Promise<void> {
  await walkImageTree(root, (entry) =>
    entry.kind === 'directory' ? chmod(entry.absolute, 0o755).catch(() => undefined) : undefined,
  ).catch(() => undefined);
  await rm(root, { recursive: true, force: true, maxRetries: 3 });
}
