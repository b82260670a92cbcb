import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import type { LoadSample } from '../../local/load/load-generator.js';
import { LoadThread } from '../../local/load/load-in-thread.js';

const CONNECTIONS = 50;
const BALLAST_BYTES = 256 * 1024 * 1024;
const IDLE_WINDOW_MS = 5_000;
/** Bounds the wait for a bake (the service's bake timeout is 120 s). */
const BAKE_WAIT_MS = 180_000;

export interface LiveLatencyDuringBake {
  p99IdleMs: number;
  p99BakingMs: number;
  maxBakingMs: number;
  idleRequests: number;
  bakingRequests: number;
  bakeMs: number;
}

const p99 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(0.99 * (sorted.length - 1))] ?? Number.NaN;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

/** Deploys and waits until the execution leaves `state` (or ends). */
async function deployUntilPast(cp: ControlPlane, version: string, artifactFile: string, state: string) {
  const { deploymentId } = await cp.deploy({
    service: 'hello',
    environment: 'staging',
    version,
    artifactFile,
  });
  const deadline = Date.now() + BAKE_WAIT_MS;
  for (;;) {
    const execution = cp.execution(deploymentId);
    const past = execution?.events.some((e) => e.type === 'StateExited' && e.state.name === state);
    if (past || (execution && execution.status !== 'RUNNING')) return execution;
    if (Date.now() > deadline)
      throw new Error(`${version}: still before the end of ${state} after ${BAKE_WAIT_MS} ms`);
    await sleep(20);
  }
}

/**
 * The live service's latency under 50 connections, measured from a thread of its own, while nothing happens and
 * while a release of 256 MiB is checked, unpacked and baked by the same control plane.
 */
export async function measureLiveLatencyDuringBake(): Promise<LiveLatencyDuringBake> {
  const home = await mkdtemp(join(tmpdir(), 'bakeshift-latency-'));
  const servicesDir = join(home, 'services');
  await mkdir(servicesDir);
  await writeHelloServiceConfig(servicesDir, { keepBlueWarmSeconds: 0, drainSeconds: 0 });
  const { controlPlane } = await ControlPlane.start({ home, servicesDir, stopGraceMs: 2000 });
  try {
    const live = await deployUntilPast(
      controlPlane,
      '1.0.0',
      await buildHelloArtifact('1.0.0', home),
      'ReleaseLock',
    );
    if (live?.status === 'FAILED') throw new Error('1.0.0 did not deploy');
    const big = await buildHelloArtifact('2.0.0', home, { ballastBytes: BALLAST_BYTES });
    const url = controlPlane.listeners()[0]?.url;
    if (!url) throw new Error('no listener for hello/staging');
    const load = new LoadThread({
      url,
      connections: CONNECTIONS,
      maxDurationMs: 600_000,
      maxRequests: 50_000_000,
    });
    await sleep(1_000); // connections opened
    const idleFrom = Date.now();
    await sleep(IDLE_WINDOW_MS);
    const bakeFrom = Date.now();
    await deployUntilPast(controlPlane, '2.0.0', big, 'BakeImage');
    const bakeTo = Date.now();
    await load.stop();
    const { samples } = load;
    const within = (from: number, to: number) =>
      samples.filter((s: LoadSample) => s.sentAt >= from && s.sentAt < to && s.ok).map((s) => s.latencyMs);
    const idle = within(idleFrom, bakeFrom);
    const baking = within(bakeFrom, bakeTo);
    return {
      p99IdleMs: round(p99(idle)),
      p99BakingMs: round(p99(baking)),
      maxBakingMs: round(baking.reduce((a, b) => Math.max(a, b), 0)),
      idleRequests: idle.length,
      bakingRequests: baking.length,
      bakeMs: bakeTo - bakeFrom,
    };
  } finally {
    await controlPlane.stop();
    await rm(home, { recursive: true, force: true });
  }
}
