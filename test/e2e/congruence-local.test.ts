import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import type { ControlPlaneEvent } from '../../local/control-plane/local-event-log.js';
import { LoadGenerator } from '../../local/load/load-generator.js';

let home: string;
let controlPlane: ControlPlane | undefined;
/** A process nobody deployed, registered in the live target group by hand: drift the report must name. */
const strayServer: Server = createServer((_request, response) =>
  response.end(JSON.stringify({ version: 'stray' })),
);
afterAll(async () => {
  await controlPlane?.stop();
  strayServer.close();
  await rm(home, { recursive: true, force: true });
});

describe('a congruence run in local mode', () => {
  it('is scheduled from the configuration, and replaces every instance under load with zero failed requests', async () => {
    home = await mkdtemp(join(tmpdir(), 'bakeshift-congruence-'));
    await mkdir(join(home, 'services'));
    await writeHelloServiceConfig(join(home, 'services'), {
      keepBlueWarmSeconds: 1,
      congruence: { schedule: 'cron(0 3 ? * MON-FRI *)', timeZone: 'Europe/Paris' },
    });
    ({ controlPlane } = await ControlPlane.start({
      home,
      servicesDir: join(home, 'services'),
      stopGraceMs: 1000,
    }));
    expect(controlPlane.scheduler.scheduled()).toEqual([
      {
        service: 'hello',
        environment: 'staging',
        schedule: 'cron(0 3 ? * MON-FRI *)',
        timeZone: 'Europe/Paris',
        nextRun: expect.stringMatching(/T0[12]:00:00/),
      },
    ]);

    const artifactFile = await buildHelloArtifact('1.0.0', home);
    const { deploymentId: first } = await controlPlane.deploy({
      service: 'hello',
      environment: 'staging',
      version: '1.0.0',
      artifactFile,
    });
    expect((await controlPlane.execution(first)?.outcome)?.status).toBe('SUCCEEDED');
    const before = controlPlane.fleets.processIds(first);
    const firstImage = (await controlPlane.store.getLiveRelease('hello', 'staging'))?.imageId;

    await new Promise<void>((resolve) => strayServer.listen(0, '127.0.0.1', resolve));
    await controlPlane.dataPlane.commands.register(
      first,
      'stray-by-hand',
      (strayServer.address() as AddressInfo).port,
    );
    const events: ControlPlaneEvent[] = [];
    controlPlane.events.subscribe((event) => events.push(event));

    const url = controlPlane.listeners()[0]?.url ?? '';
    const load = new LoadGenerator({ url, connections: 20, maxDurationMs: 60_000, maxRequests: 1_000_000 });
    load.start();
    const rebuild = await controlPlane.scheduler.runNow('hello', 'staging');
    const outcome = await controlPlane.execution(rebuild ?? '')?.outcome;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await load.stop();

    expect(outcome?.status).toBe('SUCCEEDED');
    const live = await controlPlane.store.getLiveRelease('hello', 'staging');
    expect(live).toMatchObject({ version: '1.0.0', deploymentId: rebuild, imageId: firstImage });
    const after = controlPlane.fleets.processIds(rebuild ?? '');
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect(controlPlane.fleets.fleetIds()).toEqual([rebuild]);
    const window = load.between(0);
    expect(window.requests).toBeGreaterThan(1000);
    expect(window.failed).toBe(0);
    const record = await controlPlane.store.getDeployment(rebuild ?? '');
    expect(record?.trigger).toBe('congruence');
    // The drift report describes the fleet as it was before the run, and is kept with the run's record.
    expect(record?.drift?.findings).toEqual([
      {
        kind: 'unmanaged_target',
        detail: 'target stray-by-hand is in the target group but is no instance of the fleet',
      },
    ]);
    expect(record?.drift?.instances).toHaveLength(2);
    expect(record?.drift?.liveImageId).toBe(firstImage);
    expect(record?.drift?.onNewestBase).toBe(true);
    const announced = events.find((e) => e.type === 'deployment' && e.kind === 'congruence_report');
    expect(announced).toMatchObject({
      deploymentId: rebuild,
      detail: expect.stringContaining('stray-by-hand'),
    });
  }, 60_000);

  it('with replaceWhenUnchanged false, skips a run whose artifact, base and recipe are unchanged', async () => {
    const cp = controlPlane;
    if (!cp) throw new Error('no control plane');
    await cp.stop();
    await writeHelloServiceConfig(join(home, 'services'), {
      keepBlueWarmSeconds: 1,
      congruence: {
        schedule: 'cron(0 3 ? * MON-FRI *)',
        timeZone: 'Europe/Paris',
        replaceWhenUnchanged: false,
      },
    });
    ({ controlPlane } = await ControlPlane.start({
      home,
      servicesDir: join(home, 'services'),
      stopGraceMs: 1000,
    }));
    const live = await controlPlane.store.getLiveRelease('hello', 'staging');
    expect(await controlPlane.scheduler.runNow('hello', 'staging')).toBeUndefined();
    expect(await controlPlane.store.getLiveRelease('hello', 'staging')).toEqual(live);
  }, 60_000);
});
