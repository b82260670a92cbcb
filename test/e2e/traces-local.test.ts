import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { deploymentTraceIds } from '../../functions/commons/tracing.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

let home: string;
let controlPlane: ControlPlane | undefined;
let receiver: OtlpReceiver | undefined;
afterAll(async () => {
  await controlPlane?.stop();
  await receiver?.close();
  await rm(home, { recursive: true, force: true });
});

describe('local mode exports every deployment as a trace', () => {
  it('a real deployment of hello: its root span and one span per Task, in order, reach an OTLP/HTTP receiver', async () => {
    receiver = await OtlpReceiver.start();
    home = await mkdtemp(join(tmpdir(), 'bakeshift-traces-'));
    await mkdir(join(home, 'services'));
    await writeHelloServiceConfig(join(home, 'services'), { keepBlueWarmSeconds: 1, drainSeconds: 1 });
    ({ controlPlane } = await ControlPlane.start({
      home,
      servicesDir: join(home, 'services'),
      stopGraceMs: 1000,
      otlpEndpoint: receiver.endpoint,
    }));
    const artifactFile = await buildHelloArtifact('1.0.0', home);
    const { deploymentId } = await controlPlane.deploy({
      service: 'hello',
      environment: 'staging',
      version: '1.0.0',
      artifactFile,
    });
    const execution = controlPlane.execution(deploymentId);
    expect((await execution?.outcome)?.status).toBe('SUCCEEDED');
    await controlPlane.stop();
    controlPlane = undefined;

    const { traceId, rootSpanId } = deploymentTraceIds(deploymentId);
    const spans = receiver.trace(traceId);
    const root = spans.find((s) => s.parentSpanId === '');
    expect(root?.spanId).toBe(rootSpanId);
    expect(root?.attributes).toMatchObject({
      'deployment.name': 'hello',
      'deployment.environment.name': 'staging',
      'bakeshift.version': '1.0.0',
      'bakeshift.outcome': 'succeeded',
    });
    const steps = spans.filter((s) => s.parentSpanId === rootSpanId).map((s) => s.name);
    expect(steps.slice(0, 4)).toEqual(['PrepareDeployment', 'BakeImage', 'LaunchGreen', 'AwaitGreenHealthy']);
    expect(steps).toContain('CommitRelease');
    expect(receiver.spans.every((s) => s.traceId === traceId)).toBe(true);
  });
});
