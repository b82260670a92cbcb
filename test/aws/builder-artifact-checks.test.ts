import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builderUserData } from '../../aws/baker/builder-user-data.js';
import { craftTarball, MANIFEST_ENTRY } from '../support/craft-tarball.js';

/**
 * The builder's artifact checks, taken out of the generated user data and run in real bash over real directories
 * and archives. `fail` is the script's own on the builder (it reports and powers off); here it prints and exits 1.
 */
const run = promisify(execFile);
const script = Buffer.from(
  builderUserData({ artifactUrl: 'https://a/x.tgz', resultUrl: 'https://a/r.json', timeoutSeconds: 60 }),
  'base64',
).toString('utf8');

/** A bash function exactly as the generated script defines it. */
function definition(name: string): string {
  const found = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(script)?.[0];
  if (!found) throw new Error(`the builder's user data defines no ${name}()`);
  return found;
}

async function runCheck(name: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const program = `fail() { echo "bake failed: $1"; exit 1; }\n${definition(name)}\n${name} "$@"; echo passed`;
  return run('bash', ['-c', program, 'bash', ...args], { cwd: work, timeout: 10_000 }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: `${e.stdout}${e.stderr}`,
    }),
  );
}

let work: string;
let root: string;
beforeEach(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'bakeshift-builder-checks-')));
  root = join(work, 'opt', 'app');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'bakeshift.json'), '{}');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function links(entries: Record<string, string>) {
  for (const [path, target] of Object.entries(entries)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await symlink(target, join(root, path));
  }
}

describe("the builder's link check (check_links), in real bash", () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'the climbing chain (a/b/c/d/l -> ../../../.., y -> a/b/c/d/l/../..)',
      { 'a/b/c/d/l': '../../../..', y: 'a/b/c/d/l/../..' },
      'link ROOT/y points outside the image',
    ],
    ['an absolute link', { x: '/etc/shadow' }, 'link ROOT/x is absolute'],
    ['a relative link out', { 'lib/x': '../../../secret' }, 'link ROOT/lib/x points outside the image'],
    ['a loop of links', { self: 'self' }, 'link ROOT/self is a loop of links'],
  ])('refuses %s, naming it', async (_, entries, message) => {
    await links(entries);
    const { code, out } = await runCheck('check_links', root, 'after the bake command');
    expect(code).toBe(1);
    expect(out).toContain(`bake failed: after the bake command: ${message.replace('ROOT', root)}`);
  });

  it('treats names as data: a name that is a command substitution is printed quoted and never run', async () => {
    await links({ '$(touch pwned)': '/etc/passwd', 'a\nb': '../..' });
    const { code, out } = await runCheck('check_links', root, 'the unpacked artifact');
    expect(code).toBe(1);
    expect(out).toMatch(/link (\S*\\\$\\\(touch\\ pwned\\\)|\$'\S*a\\nb') /);
    expect(await readdir(work)).toEqual(['opt']);
    expect((await readdir(root)).sort()).toEqual(['$(touch pwned)', 'a\nb', 'bakeshift.json']);
  });

  it('accepts links inside the image: links to links, a link to its own parent, a dangling one', async () => {
    await mkdir(join(root, 'node_modules/.pnpm/lib@1/node_modules/lib'), { recursive: true });
    await links({
      'node_modules/lib': '.pnpm/lib@1/node_modules/lib',
      'node_modules/.bin/lib': '../lib/index.js',
      'lib/up': '..',
      'lib/current': 'up/node_modules/lib',
      'libfoo.so': 'libfoo.so.1',
      'libfoo.so.1': 'libfoo.so.1.2',
    });
    const { code, out } = await runCheck('check_links', root, 'after the bake command');
    expect({ code, out }).toEqual({ code: 0, out: 'passed\n' });
  });
});

describe("the builder's archive check (check_archive), in real bash", () => {
  it.each<[string, (file: string) => Promise<void>, string]>([
    ['a text file', (file) => writeFile(file, 'not a tarball'), 'the artifact is not a gzip tarball (.tgz)'],
    [
      'an uncompressed tar',
      (file) => tar.c({ file, cwd: root, gzip: false }, ['.']),
      'the artifact is not a gzip tarball (.tgz)',
    ],
    [
      'a gzip file that holds no tarball',
      (file) => writeFile(file, gzipSync(Buffer.alloc(2048, 'x'))),
      'the artifact is not a readable tarball',
    ],
    [
      'an entry outside the root',
      (file) => craftTarball(file, [MANIFEST_ENTRY, { path: '../escape', body: 'x' }]),
      'artifact has entries outside its root',
    ],
  ])('refuses %s, saying so', async (_, make, message) => {
    const file = join(work, 'artifact.tgz');
    await make(file);
    const { code, out } = await runCheck('check_archive', file);
    expect(code).toBe(1);
    expect(out).toContain(`bake failed: ${message}`);
  });

  it('accepts a packed app', async () => {
    const file = join(work, 'artifact.tgz');
    await tar.c({ file, cwd: root, gzip: true }, ['.']);
    expect(await runCheck('check_archive', file)).toEqual({ code: 0, out: 'passed\n' });
  });
});

describe("the builder's user data runs both checks", () => {
  it('on the archive before unpacking, on the tree after unpacking and again after the bake command', () => {
    const lines = script.split('\n');
    const at = (line: string) => lines.findIndex((l) => l.trim() === line);
    expect(at('check_archive /tmp/artifact.tgz')).toBeLessThan(
      lines.findIndex((l) => l.startsWith('tar -xzf')),
    );
    expect(at('check_links /opt/app "the unpacked artifact"')).toBeLessThan(
      at('MANIFEST=/opt/app/bakeshift.json'),
    );
    expect(at('check_links /opt/app "after the bake command"')).toBeGreaterThan(
      lines.findIndex((l) => l.includes('sh -c "$BAKE"')),
    );
    expect(at('check_links /opt/app "after the bake command"')).toBeLessThan(
      lines.findIndex((l) => l.startsWith('chown -R root:root /opt/app')),
    );
  });
});
