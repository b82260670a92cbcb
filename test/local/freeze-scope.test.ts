import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { LocalOperations } from '../../local/control-plane/local-operations.js';

/** `bakeshift freeze` on the local target refuses a scope no configuration knows (core/freezes/freeze-scope.ts). */
let home: string;
let controlPlane: ControlPlane;

const environment = {
  capacity: { min: 1, desired: 1, max: 1 },
  healthCheck: { intervalSeconds: 2, timeoutSeconds: 1, deadlineSeconds: 60 },
};

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-freeze-scope-'));
  await mkdir(join(home, 'services'));
  for (const [service, environments] of [
    ['web', { staging: environment, prod: environment }],
    ['api', { staging: environment }],
  ] as const)
    await writeFile(
      join(home, 'services', `${service}.json`),
      JSON.stringify({ service, bake: { baseImage: 'node', timeoutSeconds: 120 }, environments }),
    );
  ({ controlPlane } = await ControlPlane.start({
    home,
    servicesDir: join(home, 'services'),
    stopGraceMs: 500,
    janitorAfterEachDeployment: false,
  }));
});

afterAll(async () => {
  await controlPlane?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('freezing a scope no configuration knows', () => {
  const until = () => new Date(Date.now() + 3_600_000).toISOString();
  const freeze = (scope: { service?: string; environment?: string }) =>
    new LocalOperations(controlPlane).freeze({ ...scope, until: until(), reason: 'sales', by: 'alice' });

  it('is refused, naming the unknown environment or service and the known ones, and freezes nothing', async () => {
    await expect(freeze({ environment: 'prdo' })).rejects.toThrow(
      'no environment "prdo" in any service (did you mean "prod"? known: staging, prod); nothing was frozen',
    );
    await expect(freeze({ service: 'api', environment: 'prod' })).rejects.toThrow(
      'no environment "prod" in service api (known: staging); nothing was frozen',
    );
    await expect(freeze({ service: 'wbe' })).rejects.toThrow(
      'no service "wbe" (did you mean "web"? known: api, web); nothing was frozen',
    );
    await expect(freeze({ service: 'payments', environment: 'prod' })).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(await controlPlane.store.listFreezes()).toEqual([]);
    // A known scope is frozen.
    await freeze({ service: 'web', environment: 'prod' });
    expect(await controlPlane.store.listFreezes()).toMatchObject([{ service: 'web', environment: 'prod' }]);
  });
});
