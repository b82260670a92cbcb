import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { BakeFailed } from '../../core/errors.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { unpackArtifact } from '../../local/artifacts/unpack-artifact.js';
import {
  type CraftedEntry,
  craftTarball,
  MANIFEST_ENTRY,
  UNSAFE_ARTIFACTS,
} from '../support/craft-tarball.js';

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
  it.each(UNSAFE_ARTIFACTS.filter(([kind]) => kind !== 'no manifest'))(
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

  it('rejects a file that is not a .tgz, and a gzip file that holds no tarball', async () => {
    const file = join(dir, 'artifact.tgz');
    await writeFile(file, 'not a tarball');
    await expect(unpackArtifact(file, join(dir, 'image'))).rejects.toThrow('not a gzip tarball (.tgz)');
    await writeFile(file, gzipSync('not a tarball'));
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
    expect(manifest).toEqual({ start: 'node lib/server.js', healthPath: '/up', packages: [] });
    expect(await readFile(join(dir, 'image', 'main.js'), 'utf8')).toBe('// app');
  });
});
