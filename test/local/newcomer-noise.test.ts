import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { initApp } from '../../operator/cli/init-app.js';

/**
 * What a newcomer's own app meets before any deployment: `init` on a Python app writes a Python base image and a
 * version; packing a directory leaves out what its ignore file (or, without one, node_modules) names.
 */
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bakeshift-newcomer-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function app(name: string, files: Record<string, string>) {
  const dir = join(work, name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

async function packed(dir: string): Promise<string[]> {
  const file = `${dir}.tgz`;
  await packDirectory(dir, file);
  const entries: string[] = [];
  await tar.t({ file, onReadEntry: (entry) => void entries.push(entry.path.replace(/^\.\//, '')) });
  return entries.filter((e) => e && e !== './').sort();
}

describe('init on a Python app', () => {
  it('writes a python base image, python3 to start, and a version to raise', async () => {
    const dir = await app('py-app', { 'app.py': 'print("hi")\n', 'requirements.txt': 'flask\n' });
    const result = await initApp({
      dir,
      servicesDir: join(work, 'services'),
      healthPath: '/health',
      force: false,
    });
    expect(JSON.parse(await readFile(join(dir, 'bakeshift.json'), 'utf8'))).toEqual({
      start: 'python3 app.py',
      healthPath: '/health',
      version: '0.1.0',
    });
    const config = parseServiceConfig(parseJsonc(await readFile(result.configFile, 'utf8')), 'py-app.json');
    expect(config.bake.baseImage).toBe('python');
    expect(result.notes.join('\n')).toContain('requirements.txt: not installed by a bake command yet');
  });
});

describe('packing a directory', () => {
  it('leaves out node_modules and .git when the app has no ignore file', async () => {
    const dir = await app('plain', {
      'bakeshift.json': '{"start":"node server.js"}',
      'server.js': '',
      'node_modules/left-pad/index.js': '',
      '.git/HEAD': 'ref: refs/heads/main',
    });
    expect(await packed(dir)).toEqual(['bakeshift.json', 'server.js']);
  });

  it('honours .gitignore, and a .bakeshiftignore over it', async () => {
    const dir = await app('ignoring', {
      'bakeshift.json': '{"start":"node server.js"}',
      'server.js': '',
      '.gitignore': 'dist/\n*.log\n',
      'dist/bundle.js': '',
      'debug.log': '',
      'src/debug.log': '',
      'src/keep.js': '',
    });
    expect(await packed(dir)).toEqual(['.gitignore', 'bakeshift.json', 'server.js', 'src/', 'src/keep.js']);
    await writeFile(join(dir, '.bakeshiftignore'), 'src/\n');
    expect(await packed(dir)).toEqual([
      '.bakeshiftignore',
      '.gitignore',
      'bakeshift.json',
      'debug.log',
      'dist/',
      'dist/bundle.js',
      'server.js',
    ]);
  });
});
