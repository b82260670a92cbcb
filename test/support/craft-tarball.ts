import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface CraftedEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'FIFO';
  body?: string;
  linkpath?: string;
}

/** Writes a .tgz with exactly these entries, including ones no honest packer would write. */
export async function craftTarball(file: string, entries: CraftedEntry[]): Promise<void> {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const type = entry.type ?? 'File';
    const header = new Header({
      path: entry.path,
      type,
      size: type === 'File' ? body.length : 0,
      mode: type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  await writeFile(file, gzipSync(Buffer.concat(blocks)));
}

export const MANIFEST_ENTRY: CraftedEntry = {
  path: 'bakeshift.json',
  body: JSON.stringify({ start: 'node server.js' }),
};

/** Every kind of unsafe artifact, with what its rejection must say: used at unit level and through the stack. */
export const UNSAFE_ARTIFACTS: [kind: string, entries: CraftedEntry[], reason: string][] = [
  [
    'a path with ..',
    [MANIFEST_ENTRY, { path: '../escape.txt', body: 'x' }],
    'entry "../escape.txt": its path leads outside the image',
  ],
  [
    'an absolute path',
    [MANIFEST_ENTRY, { path: '/etc/cron.d/evil', body: 'x' }],
    'entry "/etc/cron.d/evil": its path leads outside the image',
  ],
  [
    'a symlink pointing outside',
    [MANIFEST_ENTRY, { path: 'app/link', type: 'SymbolicLink', linkpath: '../../etc' }],
    'entry "app/link": its link to "../../etc" points outside the image',
  ],
  [
    'a chain of links climbing out (y -> a/b/c/d/l/../.., l -> ../../../..)',
    [
      MANIFEST_ENTRY,
      { path: 'a/b/c/d/l', type: 'SymbolicLink', linkpath: '../../../..' },
      { path: 'y', type: 'SymbolicLink', linkpath: 'a/b/c/d/l/../..' },
    ],
    'entry "y": its link to "a/b/c/d/l/../.." points outside the image (it climbs above the image root)',
  ],
  [
    'a hard link to an absolute path',
    [MANIFEST_ENTRY, { path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }],
    'entry "passwd": its link to "/etc/passwd" points outside the image',
  ],
  [
    'a device file',
    [MANIFEST_ENTRY, { path: 'tty', type: 'CharacterDevice' }],
    'entry "tty": CharacterDevice entries are not allowed (only files, directories, links)',
  ],
  ['a FIFO', [MANIFEST_ENTRY, { path: 'pipe', type: 'FIFO' }], 'entry "pipe": FIFO entries are not allowed'],
  ['no manifest', [{ path: 'server.js', body: '' }], "bakeshift.json: missing at the artifact's root"],
];
