import { chmod, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BakeFailed } from '../../core/errors.js';
import { removeImageTree } from '../../local/artifacts/image-tree.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { unpackArtifact } from '../../local/artifacts/unpack-artifact.js';
import { readManifest } from '../../shared-adapters/artifacts/read-manifest.js';
import { type CraftedEntry, craftTarball, MANIFEST_ENTRY } from '../support/craft-tarball.js';

/**
 * Links in an artifact, on the real file system: archives made with the tar package from directories holding real
 * links (and, where the order of entries matters, crafted entry by entry). Outside the image sits a secret, whose
 * mode and content are checked after every refusal.
 */
let dir: string;
let secret: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bakeshift-links-'));
  await mkdir(join(dir, 'outside'));
  secret = join(dir, 'outside', 'secret');
  await writeFile(secret, 'the secret');
  await chmod(secret, 0o600);
});
afterEach(async () => {
  await removeImageTree(dir);
});

/** An app directory with bakeshift.json and these links (path → target), packed with the tar package. */
async function packedApp(links: Record<string, string>): Promise<string> {
  const app = join(dir, 'app');
  await mkdir(app, { recursive: true });
  await writeFile(join(app, 'bakeshift.json'), JSON.stringify({ start: 'node server.js' }));
  // An empty ignore file: everything is packed, node_modules/ (which the packer leaves out by default) included.
  await writeFile(join(app, '.bakeshiftignore'), '');
  for (const [path, target] of Object.entries(links)) {
    await mkdir(dirname(join(app, path)), { recursive: true });
    await symlink(target, join(app, path));
  }
  const file = join(dir, 'app.tgz');
  await packDirectory(app, file);
  return file;
}

async function unpacked(file: string) {
  const image = join(dir, 'images', 'img', 'root');
  const error = await unpackArtifact(file, image).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { error, image, written: await readdir(image).catch(() => []) };
}

async function expectSecretUntouched() {
  expect((await stat(secret)).mode & 0o777).toBe(0o600);
  expect(await readFile(secret, 'utf8')).toBe('the secret');
  expect(await readdir(join(dir, 'outside'))).toEqual(['secret']);
}

const CLIMBING_CHAIN = { 'a/b/c/d/l': '../../../..', y: 'a/b/c/d/l/../..' };

describe('links in an artifact, resolved as the kernel resolves them', () => {
  it('refuses the climbing chain (a/b/c/d/l -> ../../../.., y -> a/b/c/d/l/../..), naming y, writing nothing', async () => {
    const { error, written } = await unpacked(await packedApp(CLIMBING_CHAIN));
    expect(error).toBeInstanceOf(BakeFailed);
    // Refused before writing when the link comes first in the archive, else once unpacked: either way by name.
    expect(error?.message).toMatch(
      /"y"(: its link to| is a link to) "a\/b\/c\/d\/l\/\.\.\/\.\." (that )?points outside the image \(it climbs above the image root\)/,
    );
    expect(written).toEqual([]);
    await expectSecretUntouched();
  });

  it('refuses the climbing chain with y before the link it goes through: the unpacked tree is checked too', async () => {
    const file = join(dir, 'reversed.tgz');
    await craftTarball(file, [
      MANIFEST_ENTRY,
      { path: 'y', type: 'SymbolicLink', linkpath: 'a/b/c/d/l/../..' },
      { path: 'a/b/c/d/l', type: 'SymbolicLink', linkpath: '../../../..' },
    ]);
    const { error, written } = await unpacked(file);
    expect(error).toBeInstanceOf(BakeFailed);
    expect(error?.message).toContain(
      `${file}, unpacked: "y" is a link to "a/b/c/d/l/../.." that points outside the image (it climbs above the image root)`,
    );
    expect(written).toEqual([]);
  });

  it('refuses a link re-pointed by a later entry: d -> . after y -> d/../outside/secret', async () => {
    const file = join(dir, 'repointed.tgz');
    await craftTarball(file, [
      MANIFEST_ENTRY,
      { path: 'y', type: 'SymbolicLink', linkpath: 'd/../outside/secret' },
      { path: 'd', type: 'SymbolicLink', linkpath: '.' },
    ]);
    const { error } = await unpacked(file);
    expect(error?.message).toContain('"y" is a link to "d/../outside/secret" that points outside the image');
    await expectSecretUntouched();
  });

  it.each<[string, CraftedEntry[], string]>([
    [
      'an entry written through a link',
      [
        { path: 'l', type: 'SymbolicLink', linkpath: 'a' },
        { path: 'l/evil', body: 'x' },
      ],
      'entry "l/evil": it goes through the link "l"',
    ],
    [
      'a hard link through a link',
      [
        { path: 'l', type: 'SymbolicLink', linkpath: 'a' },
        { path: 'h', type: 'Link', linkpath: 'l/file' },
      ],
      'entry "h": it goes through the link "l"',
    ],
    [
      'a hard link to a link (a copy of it somewhere else)',
      [
        { path: 'a/b/up', type: 'SymbolicLink', linkpath: '../..' },
        { path: 'h', type: 'Link', linkpath: 'a/b/up' },
      ],
      'entry "h": a hard link to the link "a/b/up"',
    ],
    [
      'an absolute link',
      [{ path: 'abs', type: 'SymbolicLink', linkpath: '/etc' }],
      'entry "abs": its link to "/etc" points outside the image (an absolute link)',
    ],
  ])('refuses %s before writing anything', async (_, entries, message) => {
    const file = join(dir, 'crafted.tgz');
    await craftTarball(file, [MANIFEST_ENTRY, ...entries]);
    const { error, written } = await unpacked(file);
    expect(error).toBeInstanceOf(BakeFailed);
    expect(error?.message).toContain(message);
    expect(written).toEqual([]);
  });

  it('refuses a loop of links at once, naming it', async () => {
    const started = Date.now();
    const { error } = await unpacked(await packedApp({ ping: 'pong', pong: 'ping', 'lib/self': 'self' }));
    expect(error?.message).toMatch(/more than 40 links in a row \(a loop of links\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('accepts links to links inside the image: a package manager’s chains, a link to its own parent', async () => {
    const { error, image } = await unpacked(
      await packedApp({
        'node_modules/.pnpm/lib@1/node_modules/lib/index.js': '../../../../../vendor/lib.js',
        'node_modules/lib': '.pnpm/lib@1/node_modules/lib',
        'node_modules/.bin/lib': '../lib/index.js',
        'libfoo.so': 'libfoo.so.1',
        'libfoo.so.1': 'libfoo.so.1.2',
        'lib/up': '..',
        'lib/current': 'up/node_modules/lib',
      }),
    );
    expect(error).toBeUndefined();
    expect(await readdir(join(image, 'lib', 'current'))).toEqual(['index.js']);
  });
});

describe('an artifact that is not a gzip tarball', () => {
  const notGzip: [string, (file: string) => Promise<void>][] = [
    ['a text file', (file) => writeFile(file, 'not a tarball')],
    ['an empty file', (file) => writeFile(file, '')],
    [
      'an uncompressed tar',
      async (file) => {
        const app = join(dir, 'plain');
        await mkdir(app);
        await writeFile(join(app, 'bakeshift.json'), JSON.stringify({ start: 'node server.js' }));
        await tar.c({ file, cwd: app, gzip: false }, ['.']);
      },
    ],
  ];

  it.each(notGzip)('%s is refused as not a gzip tarball, when deployed and when baked', async (_, make) => {
    const file = join(dir, 'artifact.tgz');
    await make(file);
    await expect(readManifest(file)).rejects.toThrow('the artifact is not a gzip tarball (.tgz)');
    await expect(unpackArtifact(file, join(dir, 'image'))).rejects.toThrow(
      `${file}: the artifact is not a gzip tarball (.tgz)`,
    );
  });
});
