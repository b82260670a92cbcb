import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/ports/clock.js';
import type { BakeRequest, BakeStatus } from '../../core/ports/image-baker.js';
import type { TaskCallbacks } from '../../core/ports/task-callbacks.js';
import { removeImageTree } from '../../local/artifacts/image-tree.js';
import { LocalArtifactStore } from '../../local/artifacts/local-artifact-store.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { LocalImageBaker } from '../../local/baker/local-image-baker.js';

/**
 * The local baker over the real shell and file system, with links an artifact or a bake command makes: a bake
 * fails naming a link that leads outside the image, and making an image read-only, discarding it (PruneImages and
 * the janitor discard through discardImage) and `up`'s cleanup of abandoned bakes never act through a link, and
 * end quickly whatever links a tree holds. Outside the image: the home with api.json (its API token), and a secret.
 */
let base: string;
let home: string;
let secret: string;
let baker: LocalImageBaker;
let store: LocalArtifactStore;
/** No deployment waits on these bakes: their outcomes are read with checkBake. */
const unusedCallbacks: TaskCallbacks = { succeed: async () => {}, fail: async () => {} };

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'bakeshift-baker-links-'));
  home = join(base, 'home');
  await mkdir(home, { mode: 0o700 });
  await writeFile(join(home, 'api.json'), '{"token":"t"}', { mode: 0o600 });
  await mkdir(join(base, 'outside'), { mode: 0o700 });
  secret = join(base, 'outside', 'secret');
  await writeFile(secret, 'the secret', { mode: 0o600 });
  store = new LocalArtifactStore(join(home, 'artifacts'));
  baker = new LocalImageBaker(home, store, unusedCallbacks, systemClock);
});
afterEach(async () => {
  await removeImageTree(base);
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;

async function expectOutsideUntouched() {
  expect({
    home: await modeOf(home),
    api: await modeOf(join(home, 'api.json')),
    outside: await modeOf(join(base, 'outside')),
    secret: await modeOf(secret),
  }).toEqual({ home: 0o700, api: 0o600, outside: 0o700, secret: 0o600 });
  expect(await readFile(secret, 'utf8')).toBe('the secret');
  expect(await readFile(join(home, 'api.json'), 'utf8')).toBe('{"token":"t"}');
  expect(await readdir(join(base, 'outside'))).toEqual(['secret']);
}

/** Bakes an app (its manifest, and links path → target) and waits, bounded, for the bake to end. */
async function bake(
  manifest: Record<string, unknown>,
  links: Record<string, string> = {},
  timeoutSeconds = 20,
): Promise<{ status: BakeStatus; seconds: number }> {
  const app = join(base, `app-${randomBytes(4).toString('hex')}`);
  await mkdir(join(app, 'bin'), { recursive: true });
  await writeFile(join(app, 'bakeshift.json'), JSON.stringify({ start: 'node server.js', ...manifest }));
  await writeFile(join(app, 'bin', 'run'), '#!/bin/sh\n', { mode: 0o755 });
  for (const [path, target] of Object.entries(links)) {
    await mkdir(dirname(join(app, path)), { recursive: true });
    await symlink(target, join(app, path));
  }
  await packDirectory(app, `${app}.tgz`);
  const artifact = await store.put(`${app}.tgz`, 'web/1.tgz');
  const bakeId = `bake-${randomBytes(4).toString('hex')}`;
  const request: BakeRequest = {
    bakeId,
    deploymentId: `d-${bakeId}`,
    service: 'web',
    version: '1',
    bakeKey: randomBytes(16).toString('hex'),
    artifact,
    baseImageId: 'base',
    timeoutSeconds,
  };
  const started = Date.now();
  await baker.startBake(request);
  let status = await baker.checkBake(bakeId);
  while (status.state === 'baking' && Date.now() - started < 15_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await baker.checkBake(bakeId);
  }
  return { status, seconds: (Date.now() - started) / 1000 };
}

/** Hostile links planted in a tree: out by absolute path, a relative chain climbing to the home, loops. */
async function plantHostileTree(root: string) {
  await mkdir(join(root, 'a/b/c/d'), { recursive: true });
  await mkdir(join(root, 'lib'));
  await writeFile(join(root, 'server.js'), '// app');
  await symlink(secret, join(root, 'abs'));
  await symlink(join(base, 'outside'), join(root, 'outside-dir'));
  await symlink('../../../..', join(root, 'a/b/c/d/l'));
  await symlink('a/b/c/d/l/../../..', join(root, 'y'));
  await symlink('pong', join(root, 'ping'));
  await symlink('ping', join(root, 'pong'));
  await symlink('..', join(root, 'lib/up'));
  await symlink('.', join(root, 'lib/self'));
  await link(secret, join(root, 'hard'));
  for (const dir of ['a/b/c/d', 'a/b/c', 'a/b', 'a', 'lib', '']) await chmod(join(root, dir), 0o555);
}

describe('links a bake command makes', () => {
  it('a link to an outside file by its absolute path fails the bake, naming it; the file keeps its mode', async () => {
    const { status } = await bake({ bake: `ln -s '${secret}' x` });
    expect(status.state).toBe('failed');
    expect(status.state === 'failed' && status.reason).toContain(
      `after the bake command: "x" is a link to "${secret}" that points outside the image (an absolute link)`,
    );
    await expectOutsideUntouched();
  });

  it('a relative chain that looks inside the image but climbs to the home fails the bake at once; the home and api.json keep their modes', async () => {
    const { status, seconds } = await bake({
      bake: 'mkdir -p a/b/c/d && ln -s ../../../.. a/b/c/d/l && ln -s a/b/c/d/l/../../.. y',
    });
    expect(status.state === 'failed' && status.reason).toContain(
      '"y" is a link to "a/b/c/d/l/../../.." that points outside the image (it climbs above the image root)',
    );
    expect(seconds).toBeLessThan(10);
    await expectOutsideUntouched();
  });

  it('a hard link to an outside file fails the bake, naming it; the file keeps its mode', async () => {
    const { status } = await bake({ bake: `ln '${secret}' x` });
    expect(status.state === 'failed' && status.reason).toContain(
      'after the bake command: "x" has 1 hard link(s) outside the image',
    );
    await expectOutsideUntouched();
  });
});

describe('making an image read-only', () => {
  it('is quick over links to the image’s own directories, leaves links alone and keeps execute bits', async () => {
    const { status, seconds } = await bake({}, { 'lib/up': '..', 'lib/self': '.', main: 'bin/run' });
    expect(status.state).toBe('succeeded');
    expect(seconds).toBeLessThan(10);
    const root = status.state === 'succeeded' ? join(home, 'images', status.image.imageId, 'root') : '';
    expect({
      root: await modeOf(root),
      manifest: await modeOf(join(root, 'bakeshift.json')),
      run: await modeOf(join(root, 'bin', 'run')),
    }).toEqual({ root: 0o555, manifest: 0o444, run: 0o555 });
    await expectOutsideUntouched();
  });
});

describe('removing an image never follows its links, and is bounded', () => {
  it('discarding an image (what PruneImages and the janitor do)', async () => {
    const image = join(home, 'images', 'img-planted');
    await mkdir(image, { recursive: true });
    await writeFile(join(image, 'image.json'), JSON.stringify({ imageId: 'img-planted', service: 'web' }));
    await mkdir(join(image, 'root'));
    await plantHostileTree(join(image, 'root'));
    const started = Date.now();

    await baker.discardImage('img-planted');

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await readdir(join(home, 'images'))).toEqual([]);
    await expectOutsideUntouched();
  });

  it('cleaning up an abandoned bake at `up`', async () => {
    const request = { bakeId: 'bake-abandoned', service: 'web', deploymentId: 'd-1' };
    await mkdir(join(home, 'bakes'));
    await writeFile(
      join(home, 'bakes', 'bake-abandoned.json'),
      JSON.stringify({ request, status: { state: 'baking', startedAt: new Date().toISOString() } }),
    );
    const building = join(home, 'images', '.building-bake-abandoned');
    await mkdir(join(building, 'root'), { recursive: true });
    await plantHostileTree(join(building, 'root'));
    const started = Date.now();

    const cancelled = await new LocalImageBaker(
      home,
      store,
      unusedCallbacks,
      systemClock,
    ).cancelAbandonedBakes();

    expect(cancelled).toEqual(['bake-abandoned']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await readdir(join(home, 'images'))).toEqual([]);
    await expectOutsideUntouched();
  });
});

describe('the bake command’s deadline', () => {
  it('holds when the command leaves a process keeping its output open', async () => {
    const stopped = await bake({ bake: 'sleep 30 & wait' }, {}, 1);
    expect(stopped.status.state === 'failed' && stopped.status.reason).toContain('was stopped after 1s');
    expect(stopped.seconds).toBeLessThan(6);

    const finished = await bake({ bake: 'sleep 30 & echo started' });
    expect(finished.status.state).toBe('succeeded');
    expect(finished.seconds).toBeLessThan(6);
  });
});
