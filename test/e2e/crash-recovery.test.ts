import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { isRunning } from '../support/process-state.js';

const CLI = fileURLToPath(new URL('../../bin/bakeshift.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Up {
  process: ChildProcess;
  api: string;
  token: string;
}

/** `bakeshift up` as its own process, as a user runs it. */
async function up(home: string): Promise<Up> {
  await rm(join(home, 'api.json'), { force: true });
  const child = spawn(process.execPath, [CLI, 'up', '--home', home], {
    stdio: 'ignore',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  // 30 s: `up` starts dynalite, the data plane's thread and the engine; a loaded CI machine is slow.
  for (let i = 0; i < 300; i++) {
    const text = await readFile(join(home, 'api.json'), 'utf8').catch(() => undefined);
    if (text) {
      const api = JSON.parse(text) as { url: string; token: string };
      return { process: child, api: api.url, token: api.token };
    }
    await sleep(100);
  }
  await stop(child);
  throw new Error('bakeshift up did not start within 30 s');
}

/** Ends a control plane the test started: SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function call<T>(up: Up, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${up.api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${up.token}` },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as T;
}

interface Progress {
  record: { status: string; failure?: { error: string } } | null;
  status: string;
  events: { type: string; state?: { name: string } }[];
}

async function deployAndWait(
  up: Up,
  home: string,
  version: string,
  until?: string,
  ballastBytes?: number,
): Promise<string> {
  const artifactFile = await buildHelloArtifact(version, home, ballastBytes ? { ballastBytes } : {});
  const { deploymentId } = await call<{ deploymentId: string }>(up, 'POST', '/deployments', {
    service: 'hello',
    environment: 'staging',
    version,
    artifactFile,
  });
  for (let i = 0; i < 600; i++) {
    const progress = await call<Progress>(up, 'GET', `/deployments/${deploymentId}`);
    if (until && progress.events.some((e) => e.type === 'StateEntered' && e.state?.name === until))
      return deploymentId;
    if (!until && progress.status !== 'RUNNING') return deploymentId;
    await sleep(50);
  }
  throw new Error(`${version} did not reach ${until ?? 'its end'}`);
}

async function instanceProcesses(home: string): Promise<number[]> {
  const dir = join(home, 'instances');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  const records = await Promise.all(
    files.map(
      async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { shimPid?: number; appPid?: number },
    ),
  );
  return records.flatMap((r) => [r.shimPid, r.appPid].filter((p): p is number => typeof p === 'number'));
}

async function answeringVersion(up: Up): Promise<string | undefined> {
  const { services } = await call<{ services: { url: string | null }[] }>(up, 'GET', '/status');
  const url = services[0]?.url;
  return url ? ((await (await fetch(url)).json()) as { version: string }).version : undefined;
}

let running: Up | undefined;
let home: string;
afterEach(async () => {
  if (running) await stop(running.process);
  running = undefined;
  // Instances a killed control plane left (the next `up` would end them; a failed test never starts it).
  for (const pid of await instanceProcesses(home)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(home, { recursive: true, force: true });
});

/**
 * kill -9 of the control plane in the middle of a deployment, then `bakeshift up` again: the previous release
 * serves on the same URL, no instance of the dead control plane survives, no half-baked image remains, and
 * the lock is free.
 */
describe('crash safety', () => {
  it.each([
    ['LaunchGreen', '1.0.0', 'rolled_back'],
    ['AwaitGreenHealthy', '1.0.0', 'rolled_back'],
    ['WatchGreen', '1.0.0', 'rolled_back'],
    ['WaitForBlueDrain', '2.0.0', 'succeeded'],
  ])(
    'killed during %s, it recovers with %s serving',
    async (state, serving, expectedStatus) => {
      home = await mkdtemp(join(tmpdir(), 'bakeshift-crash-'));
      await mkdir(join(home, 'services'));
      await writeHelloServiceConfig(join(home, 'services'), { keepBlueWarmSeconds: 4 });

      running = await up(home);
      await deployAndWait(running, home, '1.0.0');
      const urlBefore = (await call<{ services: { url: string }[] }>(running, 'GET', '/status')).services[0]
        ?.url;
      const deploymentId = await deployAndWait(running, home, '2.0.0', state);
      const pids = await instanceProcesses(home);
      expect(pids.length).toBeGreaterThanOrEqual(4);

      running.process.kill('SIGKILL');
      await sleep(1500);
      expect(pids.filter(isRunning)).toEqual([]);

      running = await up(home);
      const status = await call<{
        services: { url: string; lock: string | null; live: { version: string } }[];
      }>(running, 'GET', '/status');
      expect(status.services[0]?.url).toBe(urlBefore);
      expect(status.services[0]?.lock).toBeNull();
      expect(status.services[0]?.live.version).toBe(serving);
      let answered: string | undefined;
      for (let i = 0; i < 60 && answered !== serving; i++) {
        answered = await answeringVersion(running).catch(() => undefined);
        if (answered !== serving) await sleep(100);
      }
      expect(answered).toBe(serving);
      const record = (await call<Progress>(running, 'GET', `/deployments/${deploymentId}`)).record;
      expect(record?.status).toBe(expectedStatus);
      if (expectedStatus === 'rolled_back') expect(record?.failure?.error).toBe('ControlPlaneRestarted');
      expect((await readdir(join(home, 'images'))).filter((d) => d.startsWith('.building-'))).toEqual([]);
    },
    90_000,
  );

  it('killed while a bake is half built, it removes the half-built image and cancels the bake', async () => {
    home = await mkdtemp(join(tmpdir(), 'bakeshift-crash-'));
    await mkdir(join(home, 'services'));
    await writeHelloServiceConfig(join(home, 'services'), { keepBlueWarmSeconds: 4 });
    running = await up(home);
    await deployAndWait(running, home, '1.0.0');
    // A large release, so the bake is still unpacking when the control plane dies.
    const deploymentId = await deployAndWait(running, home, '2.0.0', 'BakeImage', 96 * 1024 * 1024);
    const building = async () =>
      (await readdir(join(home, 'images')).catch(() => [] as string[])).filter((d) =>
        d.startsWith('.building-'),
      );
    for (let i = 0; i < 200 && (await building()).length === 0; i++) await sleep(10);
    expect(await building()).toHaveLength(1);
    running.process.kill('SIGKILL');
    await sleep(1500);

    running = await up(home);
    expect(await building()).toEqual([]);
    const bakes = await readdir(join(home, 'bakes'));
    const states = await Promise.all(
      bakes.map(
        async (f) =>
          JSON.parse(await readFile(join(home, 'bakes', f), 'utf8')) as { status: { state: string } },
      ),
    );
    expect(states.map((b) => b.status.state)).toContain('cancelled');
    const record = (await call<Progress>(running, 'GET', `/deployments/${deploymentId}`)).record;
    expect(record).toMatchObject({ status: 'rolled_back', failure: { error: 'ControlPlaneRestarted' } });
    let answered: string | undefined;
    for (let i = 0; i < 60 && answered !== '1.0.0'; i++) {
      answered = await answeringVersion(running).catch(() => undefined);
      if (answered !== '1.0.0') await sleep(100);
    }
    expect(answered).toBe('1.0.0');
  }, 90_000);
});
