import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { systemClock } from '../../core/ports/clock.js';
import type { BakeStatus } from '../../core/ports/image-baker.js';
import { removeImageTree } from '../../local/artifacts/image-tree.js';
import { LocalArtifactStore } from '../../local/artifacts/local-artifact-store.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import type { LocalImage } from '../../local/baker/local-image-baker.js';
import { LocalImageBaker } from '../../local/baker/local-image-baker.js';

/**
 * A bake behind a proxy or a private CA: the bake command gets the control plane's proxy, CA, npm and pip
 * settings (and what the service's `bake.passEnvironment` adds), never anything else of the operator's shell;
 * a failed bake's log stays beside its record, and its failure says where.
 */
let base: string;
let home: string;
let baker: LocalImageBaker;
let store: LocalArtifactStore;
const OPERATOR_SHELL = {
  HTTPS_PROXY: 'http://proxy.internal:3128',
  NODE_EXTRA_CA_CERTS: '/etc/ssl/corp-ca.pem',
  npm_config_registry: 'https://npm.internal/',
  PIP_INDEX_URL: 'https://pypi.internal/simple',
  ARTIFACTORY_TOKEN: 'service-asked-for-it',
  AWS_SECRET_ACCESS_KEY: 'never-in-a-bake',
};
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'bakeshift-bake-env-'));
  home = join(base, 'home');
  store = new LocalArtifactStore(join(home, 'artifacts'));
  baker = new LocalImageBaker(home, store, { succeed: async () => {}, fail: async () => {} }, systemClock);
  for (const [name, value] of Object.entries(OPERATOR_SHELL)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  await removeImageTree(base);
});

async function bake(command: string, passEnvironment?: string[]) {
  const app = join(base, `app-${randomBytes(4).toString('hex')}`);
  await mkdir(app, { recursive: true });
  await writeFile(join(app, 'bakeshift.json'), JSON.stringify({ start: 'node server.js', bake: command }));
  await packDirectory(app, `${app}.tgz`);
  const bakeId = `bake-${randomBytes(4).toString('hex')}`;
  await baker.startBake({
    bakeId,
    deploymentId: `d-${bakeId}`,
    service: 'web',
    version: '1',
    bakeKey: randomBytes(16).toString('hex'),
    artifact: await store.put(`${app}.tgz`, `web/${bakeId}.tgz`),
    baseImageId: 'base',
    timeoutSeconds: 20,
    ...(passEnvironment ? { passEnvironment } : {}),
  });
  let status: BakeStatus = await baker.checkBake(bakeId);
  for (let i = 0; i < 300 && status.state === 'baking'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await baker.checkBake(bakeId);
  }
  return { bakeId, status };
}

describe("a bake's environment", () => {
  it('has the proxy, CA, npm and pip settings of the control plane, and what the service adds; nothing else', async () => {
    const service = parseServiceConfig(
      {
        service: 'web',
        bake: { baseImage: 'node', passEnvironment: ['ARTIFACTORY_*'] },
        environments: { staging: { capacity: { min: 1, desired: 1, max: 1 } } },
      },
      'web.json',
    );
    const { status } = await bake(
      'test "$HTTPS_PROXY" = http://proxy.internal:3128 || { echo "npm ERR! network: no proxy" >&2; exit 1; }; env > environment.txt',
      service.bake.passEnvironment,
    );
    expect(status.state).toBe('succeeded');
    if (status.state !== 'succeeded') throw new Error(`the bake did not succeed: ${JSON.stringify(status)}`);
    const image = status.image as LocalImage;
    const seen = Object.fromEntries(
      (await readFile(join(image.root, 'environment.txt'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(seen).toMatchObject({
      HTTPS_PROXY: 'http://proxy.internal:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/corp-ca.pem',
      npm_config_registry: 'https://npm.internal/',
      PIP_INDEX_URL: 'https://pypi.internal/simple',
      ARTIFACTORY_TOKEN: 'service-asked-for-it',
      // The image's own root while it is built: caches and dotfiles land in the image, not the operator's home.
      HOME: expect.stringMatching(/\/images\/\.building-bake-[0-9a-f]+\/root$/),
    });
    expect(seen.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  });

  it("a failed bake's log stays beside its record, and its failure says where", async () => {
    const { bakeId, status } = await bake('echo "npm ERR! code E403 from the registry" >&2; exit 1');
    expect(status.state).toBe('failed');
    const log = join(home, 'bakes', `${bakeId}.log`);
    expect((status as { reason: string }).reason).toContain(`all of it: ${log}`);
    expect(await readFile(log, 'utf8')).toContain('npm ERR! code E403 from the registry');
  });

  it('a service may add names or prefixes, never PATH or HOME', () => {
    const parse = (passEnvironment: string[]) => () =>
      parseServiceConfig(
        {
          service: 'web',
          bake: { baseImage: 'node', passEnvironment },
          environments: { staging: { capacity: { min: 1, desired: 1, max: 1 } } },
        },
        'web.json',
      );
    expect(parse(['PATH'])).toThrow('web.json: bake.passEnvironment.0: PATH and HOME are set by bakeshift');
    expect(parse(['$(reboot)'])).toThrow('bake.passEnvironment.0: a variable name');
  });
});
