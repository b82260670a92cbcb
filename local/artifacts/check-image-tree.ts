import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BakeFailed } from '../../core/errors.js';
import { walkImageTree } from './image-tree.js';
import { type ImageNode, resolveLink } from './resolve-link.js';

/** A path of the tree as it is on disk, without following it. */
const lookupOnDisk =
  (root: string) =>
  async (path: string): Promise<ImageNode> => {
    const info = await lstat(join(root, path)).catch(() => undefined);
    if (!info) return undefined;
    return info.isSymbolicLink()
      ? { kind: 'link', target: await readlink(join(root, path)) }
      : { kind: 'other' };
  };

/**
 * Checks a tree as it is on disk (after unpacking, and again after the bake command): every link's real path is
 * inside the root (each resolved against all the others, as the kernel would), no file has a hard link outside
 * it, and it holds only files, directories and links. The first offender is a BakeFailed naming it.
 */
export async function checkImageTree(root: string, when: string): Promise<void> {
  const lookup = lookupOnDisk(root);
  const hardLinked = new Map<string, { path: string; links: number; seen: number }>();
  const refuse = (path: string, why: string) => {
    throw new BakeFailed(`${when}: "${path}" ${why}`);
  };
  await walkImageTree(root, async ({ path, absolute, kind }) => {
    if (kind === 'other')
      refuse(path, 'is not a file, directory or link (devices, FIFOs, sockets are refused)');
    if (kind === 'link') {
      const target = await readlink(absolute);
      const resolution = await resolveLink(lookup, path.split('/').slice(0, -1).join('/'), target);
      if (!resolution.inside)
        refuse(path, `is a link to "${target}" that points outside the image (${resolution.reason})`);
    }
    if (kind !== 'file') return;
    const info = await lstat(absolute);
    if (info.nlink < 2) return;
    const inode = `${info.dev}:${info.ino}`;
    const known = hardLinked.get(inode) ?? { path, links: info.nlink, seen: 0 };
    hardLinked.set(inode, { ...known, seen: known.seen + 1 });
  });
  for (const { path, links, seen } of hardLinked.values())
    if (seen < links) refuse(path, `has ${links - seen} hard link(s) outside the image`);
}
