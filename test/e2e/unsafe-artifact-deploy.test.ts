import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { craftTarball, UNSAFE_ARTIFACTS } from '../support/craft-tarball.js';

/** Unsafe artifacts deployed through the whole local stack: each is a BakeFailed naming the entry and rule. */
let home: string;
let controlPlane: ControlPlane;
let url: string;
let sequence = 0;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-unsafe-'));
  await mkdir(join(home, 'services'));
  await writeHelloServiceConfig(join(home, 'services'));
  ({ controlPlane } = await ControlPlane.start({
    home,
    servicesDir: join(home, 'services'),
    stopGraceMs: 1000,
  }));
  const artifactFile = await buildHelloArtifact('1.0.0', home);
  const { deploymentId } = await controlPlane.deploy({
    service: 'hello',
    environment: 'staging',
    version: '1.0.0',
    artifactFile,
  });
  expect((await controlPlane.execution(deploymentId)?.outcome)?.status).toBe('SUCCEEDED');
  url = controlPlane.listeners()[0]?.url ?? '';
}, 60_000);

afterAll(async () => {
  await controlPlane.stop();
  await rm(home, { recursive: true, force: true });
});

describe('deploying an unsafe artifact', () => {
  it.each(UNSAFE_ARTIFACTS)(
    '%s is rejected by the bake and 1.0.0 keeps serving',
    async (name, entries, reason) => {
      const artifactFile = join(home, `unsafe-${++sequence}.tgz`);
      await craftTarball(artifactFile, entries);
      if (name === 'no manifest') {
        // Refused before anything is stored or started, naming what is missing.
        const before = (await controlPlane.store.listDeployments('hello', 'staging', 100)).length;
        await expect(
          controlPlane.deploy({
            service: 'hello',
            environment: 'staging',
            version: `9.0.${sequence}`,
            artifactFile,
          }),
        ).rejects.toThrow(reason);
        expect(await controlPlane.store.listDeployments('hello', 'staging', 100)).toHaveLength(before);
        expect(((await (await fetch(url)).json()) as { version: string }).version).toBe('1.0.0');
        return;
      }
      const { deploymentId } = await controlPlane.deploy({
        service: 'hello',
        environment: 'staging',
        version: `9.0.${sequence}`,
        artifactFile,
      });
      const outcome = await controlPlane.execution(deploymentId)?.outcome;

      expect(outcome).toMatchObject({ status: 'FAILED', error: 'BakeFailed' });
      expect(outcome?.cause).toContain(reason);
      const record = await controlPlane.store.getDeployment(deploymentId);
      expect(record).toMatchObject({
        status: 'rolled_back',
        failure: { step: 'BakeImage', error: 'BakeFailed' },
      });
      expect((await controlPlane.store.getLiveRelease('hello', 'staging'))?.version).toBe('1.0.0');
      expect(((await (await fetch(url)).json()) as { version: string }).version).toBe('1.0.0');
    },
  );
});
