import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../core/deployment/deployment-record.js';
import { BakeshiftError } from '../../core/errors.js';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import { flowRegions } from '../support/flow-graph.js';

/**
 * The foundation's fault matrix against the local adapters (dynalite, baker, processes, load balancer):
 * every forward Task of the definition fails after doing its real work, on one control plane, one case after
 * another. Before the commit point blue must serve exactly as before; after it, green serves.
 */
const definition = loadDeployDefinition();
const { beforeCommit, afterCommit } = flowRegions(definition, 'RecordFailure', 'CommitRelease');
// Steps this configuration never enters: no approval, no weighted steps, no verdict in doubt under
// `onInconclusive: approval` (ADR 50: test/flow/inconclusive-approval.test.ts runs those), no cleanup warning.
const notEntered = new Set([
  'RequestApproval',
  'CheckGreenAtWeight',
  'AskAboutDoubtAtWeight',
  'AskAboutDoubtAfterWatch',
  'RecordCleanupWarnings',
]);
const cases = taskStatesOf(definition)
  .map((t) => t.stateName)
  .filter((s) => (beforeCommit.has(s) || afterCommit.has(s)) && !notEntered.has(s));

let home: string;
let controlPlane: ControlPlane;
let fault: string | undefined;
let sequence = 0;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-local-matrix-'));
  const servicesDir = join(home, 'services');
  await mkdir(servicesDir);
  // With a pre-traffic check, so that RunPreTrafficTests runs (and fails) on the local adapters too.
  await writeHelloServiceConfig(servicesDir, {
    keepBlueWarmSeconds: 1,
    drainSeconds: 1,
    preTraffic: { checks: [{ name: 'healthy', path: '/health' }] },
  });
  ({ controlPlane } = await ControlPlane.start({
    home,
    servicesDir,
    stopGraceMs: 1000,
    // Compensation must clean up by itself: no janitor run after a deployment may do its work.
    janitorAfterEachDeployment: false,
    // A persistent fault is retried as the ASL says; without the waits between attempts.
    retryIntervalMs: Object.fromEntries(
      taskStatesOf(definition)
        .filter((t) => !['AwaitGreenHealthy', 'WatchGreen'].includes(t.stateName))
        .map((t) => [t.stateName, 0]),
    ),
    interceptTask: async (call, invoke) => {
      const result = await invoke();
      if (call.stateName === fault)
        throw new BakeshiftError('InjectedFault', `fault injected into ${call.stateName}`);
      return result;
    },
  }));
  expect((await deploy('1.0.0')).outcome.status).toBe('SUCCEEDED');
}, 60_000);

afterAll(async () => {
  await controlPlane.stop();
  await rm(home, { recursive: true, force: true });
});

/** Each case deploys its own build of hello 2.0.0 (a distinct artifact, so a distinct deployment). */
async function deploy(version: string) {
  const file = await buildHelloArtifact(version.startsWith('1.') ? '1.0.0' : '2.0.0', home);
  const unique = join(home, `hello-${version}-${++sequence}.tgz`);
  await copyFile(file, unique);
  await writeFile(unique, Buffer.concat([await readFile(unique), Buffer.alloc(sequence)]));
  const { deploymentId } = await controlPlane.deploy({
    service: 'hello',
    environment: 'staging',
    version,
    artifactFile: unique,
  });
  const execution = controlPlane.execution(deploymentId);
  if (!execution) throw new Error('not started');
  return { deploymentId, outcome: await execution.outcome };
}

async function routing() {
  const listener = controlPlane.dataPlane.urls().find((l) => l.service === 'hello');
  const weights = (await controlPlane.ports.traffic.current({ service: 'hello', environment: 'staging' }))
    .weights;
  const answer = listener ? ((await (await fetch(listener.url)).json()) as { version: string }) : undefined;
  // The preview listener: which instance answers it, or the status it gives when it reaches no fleet.
  const preview = listener ? await fetch(listener.previewUrl) : undefined;
  const previewAnswer = preview?.ok
    ? ((await preview.json()) as { instance: string }).instance
    : `HTTP ${preview?.status} ${await preview?.text()}`.trim();
  return { weights, answeredBy: answer?.version, previewAnsweredBy: previewAnswer };
}

describe('fault matrix on the local adapters', () => {
  it.each(cases)(
    '%s fails after its work',
    async (stateName) => {
      const blue = (await controlPlane.store.getLiveRelease('hello', 'staging')) as Release;
      fault = stateName;
      const version = `2.0.${sequence + 1}`;
      const { deploymentId, outcome } = await deploy(version);
      fault = undefined;
      const record = await controlPlane.store.getDeployment(deploymentId);
      const { weights, answeredBy, previewAnsweredBy } = await routing();

      expect(await controlPlane.store.lockHolder('hello', 'staging')).toBeUndefined();
      expect(controlPlane.tokens.pendingCount).toBe(0);
      if (beforeCommit.has(stateName)) {
        expect(outcome.status).toBe('FAILED');
        expect(record).toMatchObject({ status: 'rolled_back', failure: { step: stateName } });
        expect(weights).toEqual([{ fleetId: blue.fleetId, percent: 100 }]);
        expect(answeredBy).toBe(blue.version);
        // Green is gone: the preview listener reaches nothing of the attempt (blue's instances, or nothing).
        const blueInstances = (await controlPlane.ports.fleets.instances(blue.fleetId)).map(
          (i) => i.instanceId,
        );
        expect([...blueInstances, 'HTTP 503 503 no healthy target']).toContain(previewAnsweredBy);
        expect(controlPlane.fleets.fleetIds()).toEqual([blue.fleetId]);
        const images = await controlPlane.ports.baker.listImages('hello');
        expect(images.filter((i) => i.createdByDeployment === deploymentId)).toEqual([]);
        expect(await controlPlane.store.getLiveRelease('hello', 'staging')).toEqual(blue);
      } else {
        expect(outcome.status).toBe('SUCCEEDED');
        expect(record?.status).toBe('succeeded');
        expect(record?.warnings.join()).toContain(`${stateName} failed`);
        expect(weights).toEqual([{ fleetId: deploymentId, percent: 100 }]);
        expect(answeredBy).toBe('2.0.0');
        const greenInstances = (await controlPlane.ports.fleets.instances(deploymentId)).map(
          (i) => i.instanceId,
        );
        expect(greenInstances).toContain(previewAnsweredBy);
        expect((await controlPlane.store.getLiveRelease('hello', 'staging'))?.deploymentId).toBe(
          deploymentId,
        );
      }
    },
    60_000,
  );
});
