import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BakeFailed } from '../../core/errors.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { unpackArtifact } from '../../local/artifacts/unpack-artifact.js';
import { type CraftedEntry, craftTarball, MANIFEST_ENTRY } from '../support/craft-tarball.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bakeshift-artifact-'));
});

async function unpackCrafted(entries: CraftedEntry[], limits?: { maxFiles: number; maxBytes: number }) {
  const file = join(dir, 'artifact.tgz');
  await craftTarball(file, entries);
  const target = join(dir, 'image');
  const error = await unpackArtifact(file, target, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, written: await readdir(target).catch(() => []) };
}

describe('unpacking an artifact safely', () => {
  it.each([
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
      'a hard link to an absolute path',
      [MANIFEST_ENTRY, { path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }],
      'entry "passwd": its link to "/etc/passwd" points outside the image',
    ],
    [
      'a device file',
      [MANIFEST_ENTRY, { path: 'tty', type: 'CharacterDevice' }],
      'entry "tty": CharacterDevice entries are not allowed (only files, directories, links)',
    ],
    [
      'a FIFO',
      [MANIFEST_ENTRY, { path: 'pipe', type: 'FIFO' }],
      'entry "pipe": FIFO entries are not allowed',
    ],
  ] as [string, CraftedEntry[], string][])(
    'rejects %s, naming the entry and the rule, writing nothing',
    async (_, entries, message) => {
      const { error, written } = await unpackCrafted(entries);
      expect(error).toBeInstanceOf(BakeFailed);
      expect((error as Error).message).toContain(message);
      expect(written).toEqual([]);
    },
  );

  it('rejects more files than allowed (a compression bomb of many entries)', async () => {
    const entries = [MANIFEST_ENTRY, ...Array.from({ length: 10 }, (_, i) => ({ path: `f${i}`, body: 'x' }))];
    const { error } = await unpackCrafted(entries, { maxFiles: 5, maxBytes: 1_000_000 });
    expect((error as Error).message).toContain('entry "f4": more than 5 entries');
  });

  it('rejects more bytes than allowed (a compression bomb of one large file)', async () => {
    const { error } = await unpackCrafted([MANIFEST_ENTRY, { path: 'zeros', body: '0'.repeat(100_000) }], {
      maxFiles: 100,
      maxBytes: 50_000,
    });
    expect((error as Error).message).toContain('entry "zeros": more than 50000 bytes unpacked');
  });

  it('rejects an artifact without a manifest, or with an invalid one', async () => {
    expect(((await unpackCrafted([{ path: 'server.js', body: '' }])).error as Error).message).toBe(
      "bakeshift.json: missing at the artifact's root",
    );
    const invalid = await unpackCrafted([{ path: 'bakeshift.json', body: '{"healthPath":"/up"}' }]);
    expect((invalid.error as Error).message).toContain('bakeshift.json: start:');
  });

  it('rejects a file that is not a .tgz', async () => {
    const file = join(dir, 'artifact.tgz');
    await writeFile(file, 'not a tarball');
    await expect(unpackArtifact(file, join(dir, 'image'))).rejects.toThrow('not a readable .tgz artifact');
  });

  it('unpacks a packed directory, links inside the image included', async () => {
    const app = join(dir, 'app');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(app, 'lib'), { recursive: true }));
    await writeFile(
      join(app, 'bakeshift.json'),
      JSON.stringify({ start: 'node lib/server.js', healthPath: '/up' }),
    );
    await writeFile(join(app, 'lib', 'server.js'), '// app');
    await symlink('lib/server.js', join(app, 'main.js'));
    const file = join(dir, 'app.tgz');
    await packDirectory(app, file);

    const manifest = await unpackArtifact(file, join(dir, 'image'));
    expect(manifest).toEqual({ start: 'node lib/server.js', healthPath: '/up' });
    expect(await readFile(join(dir, 'image', 'main.js'), 'utf8')).toBe('// app');
  });
});
