import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';

let home: string;
let controlPlane: ControlPlane | undefined;
afterAll(async () => {
  await controlPlane?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('the local janitor', () => {
  it('reports with a dry run, keeps an orphan fleet while the preview routes to it, then removes it, never the live release or its image, nor once its environment is dropped from configuration', async () => {
    home = await mkdtemp(join(tmpdir(), 'bakeshift-janitor-'));
    await mkdir(join(home, 'services'));
    await writeHelloServiceConfig(join(home, 'services'), { keepBlueWarmSeconds: 1, drainSeconds: 1 });
    ({ controlPlane } = await ControlPlane.start({
      home,
      servicesDir: join(home, 'services'),
      stopGraceMs: 1000,
    }));
    const cp = controlPlane;
    const deploy = async (version: string) => {
      const artifactFile = await buildHelloArtifact(version, home);
      const { deploymentId } = await cp.deploy({
        service: 'hello',
        environment: 'staging',
        version,
        artifactFile,
      });
      expect((await cp.execution(deploymentId)?.outcome)?.status).toBe('SUCCEEDED');
      return deploymentId;
    };
    await deploy('1.0.0');
    const live = await deploy('2.0.0');
    const liveImage = (await cp.store.getLiveRelease('hello', 'staging'))?.imageId;

    // An orphan: a fleet no deployment record knows (as a crash between launch and record could leave).
    const image = (await cp.ports.baker.getImage(liveImage ?? '')) ?? undefined;
    if (!image) throw new Error('no live image');
    await cp.fleets.launch({
      fleetId: 'orphan-fleet',
      service: 'hello',
      environment: 'staging',
      deploymentId: 'orphan-fleet',
      version: 'x',
      imageId: image.imageId,
      capacity: { min: 1, desired: 1, max: 1 },
      variables: {},
      secrets: {},
      healthCheck: {
        path: '/health',
        intervalSeconds: 2,
        timeoutSeconds: 1,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      drainSeconds: 0,
    });

    // While the preview listener routes to it (someone is looking at it), it is kept, and the dry run says why.
    const staging = { service: 'hello', environment: 'staging' };
    await cp.ports.traffic.preview(staging, 'orphan-fleet');
    const [previewed] = await cp.janitor({ dryRun: true });
    expect(previewed?.removed).toEqual([]);
    expect(previewed?.kept).toContainEqual({
      kind: 'fleet',
      id: 'orphan-fleet',
      why: [expect.stringMatching(/^preview: hello\/staging \(preview\) forwards to it$/)],
    });
    await cp.ports.traffic.preview(staging, live);

    const [dryRun] = await cp.janitor({ dryRun: true });
    expect(dryRun?.removed).toEqual([{ kind: 'fleet', id: 'orphan-fleet' }]);
    expect(cp.fleets.fleetIds().sort()).toEqual([live, 'orphan-fleet'].sort());

    const [report] = await cp.janitor({ dryRun: false });
    expect(report?.removed).toEqual([{ kind: 'fleet', id: 'orphan-fleet' }]);
    expect(cp.fleets.fleetIds()).toEqual([live]);
    expect((await cp.ports.baker.listImages('hello')).map((i) => i.imageId)).toContain(liveImage);
    expect(((await (await fetch(cp.listeners()[0]?.url ?? '')).json()) as { version: string }).version).toBe(
      '2.0.0',
    );

    // staging leaves the configuration while it serves (ADR 52): its fleet and image stay, and so does traffic.
    const file = join(home, 'services', 'hello.json');
    const config = JSON.parse(await readFile(file, 'utf8'));
    config.environments = { prod: config.environments.staging };
    await writeFile(file, JSON.stringify(config, null, 2));
    const [dropped] = await cp.janitor({ dryRun: false });
    expect(dropped?.skipped).toBeUndefined();
    expect(dropped?.removed.map((r) => r.id)).not.toContain(live);
    expect(dropped?.removed.map((r) => r.id)).not.toContain(liveImage);
    expect(cp.fleets.fleetIds()).toEqual([live]);
    expect((await cp.ports.baker.listImages('hello')).map((i) => i.imageId)).toContain(liveImage);
    expect(((await (await fetch(cp.listeners()[0]?.url ?? '')).json()) as { version: string }).version).toBe(
      '2.0.0',
    );
  }, 60_000);
});
