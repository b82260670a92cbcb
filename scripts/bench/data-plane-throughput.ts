import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LoadSample } from '../../local/load/load-generator.js';
import { LoadThread } from '../../local/load/load-in-thread.js';
import { LocalDataPlane } from '../../local/load-balancer/local-data-plane.js';
import { hasNginx, startNginx } from './nginx-in-front.js';

const run = promisify(execFile);
const HELLO = fileURLToPath(new URL('../../examples/hello/', import.meta.url));
const CONNECTIONS = 50;
const ROUND_MS = 4_000;
const ROUNDS = 3;
/** Bounds the wait for the two instances to be healthy behind the listener. */
const HEALTHY_WITHIN_MS = 20_000;
const HEALTH = {
  path: '/health',
  intervalSeconds: 1,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

export interface DataPlaneFigures {
  /** Requests per second through the local listener, in front of two instances (median of the rounds). */
  listenerRps: number;
  /** Requests per second sent to one of those instances directly, in the same run (median of the rounds). */
  directRps: number;
  listenerP99Ms: number;
  directP99Ms: number;
  /** listenerRps / directRps. */
  ratio: number;
  /**
   * nginx (one worker, keep-alive to the instances) in front of the same two instances, saturated in the same
   * rounds; `listenerShare` is listenerRps / its rps. Unavailable without nginx or wrk (the reason is given).
   */
  nginx: { rps: number; p99Ms: number; listenerShare: number } | { unavailable: string };
  /**
   * The listener and nginx offered the same paced rate (half nginx's maximum) in alternate rounds: the rate each
   * achieved and its p99, the fair reading of "at an equal or better p99".
   */
  atEqualRate:
    | { offeredRps: number; listenerRps: number; listenerP99Ms: number; nginxRps: number; nginxP99Ms: number }
    | { unavailable: string };
  /** The machine's 1-minute load average when the run began (a shared machine skews both figures). */
  loadAverage: number;
  generator: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p99 = (samples: LoadSample[]) =>
  samples.map((s) => s.latencyMs).sort((a, b) => a - b)[Math.floor(0.99 * (samples.length - 1))] ?? 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One instance of the hello app (release 1.0.0), as a fleet would start it. */
async function startInstance(appDir: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['server.js'], {
    cwd: appDir,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return { port, child };
}

type Round = { rps: number; p99Ms: number };

/** wrk's "99%  1.23ms" as milliseconds. */
function wrkMs(text: string): number {
  const [, value = 'NaN', unit = 'ms'] = /^([\d.]+)(us|ms|s)$/.exec(text) ?? [];
  return Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);
}

/** One round with wrk (Debian's package), one thread and 50 keep-alive connections. */
async function wrkRound(url: string): Promise<Round> {
  const { stdout } = await run(
    'wrk',
    ['-t1', `-c${CONNECTIONS}`, `-d${ROUND_MS / 1000}s`, '--latency', '--timeout', '10s', url],
    { timeout: ROUND_MS + 10_000 },
  );
  return wrkFigures(url, stdout);
}

/** Each paced connection waits a random 0 to 2 × this between its requests (wrk's delay(): mean PACE_MS). */
const PACE_MS = 10;

/** The unmeasured second of paced load before each measured round. */
const WARM_UP_S = 1;

/**
 * One round at a fixed offered rate with wrk: rps × PACE_MS / 1000 connections, each pausing about PACE_MS
 * between requests (randomly, so they do not fire in step), so a server well below its capacity is offered
 * the same requests whatever its speed. The achieved rate is reported: it is below the offered one by the
 * time each request takes. Each round is preceded by WARM_UP_S of the same load, not measured: the proxy's
 * connections to the instances are open when the round starts, whichever proxy ran last (the listener's close
 * after the app's keep-alive hint, 3 s, so the other's round would leave it cold; nginx's stay open 60 s).
 */
async function pacedWrkRound(url: string, rps: number, script: string): Promise<Round> {
  const connections = Math.max(1, Math.round((rps * PACE_MS) / 1000));
  const paced = (seconds: number) =>
    run(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s', '-s', script, url],
      { timeout: seconds * 1000 + 10_000 },
    );
  await paced(WARM_UP_S);
  return wrkFigures(url, (await paced(ROUND_MS / 1000)).stdout);
}

/** wrk's rate and p99; a round with an error or no answer fails the bench. */
function wrkFigures(url: string, stdout: string): Round {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p99Ms = wrkMs(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(stdout);
  if (errors || !(rps > 0)) throw new Error(`wrk ${url}: ${stdout}`);
  return { rps, p99Ms };
}

/** One round with the project's own load generator (local/load: undici, in a thread of its own). */
async function loadThreadRound(url: string): Promise<Round> {
  const load = new LoadThread({
    url,
    connections: CONNECTIONS,
    maxDurationMs: ROUND_MS,
    maxRequests: 10_000_000,
  });
  // The thread stops by itself after ROUND_MS of load (its start-up is not counted: the samples' times are).
  await new Promise((resolve) => setTimeout(resolve, ROUND_MS + 1_000));
  await load.stop();
  const { samples } = load;
  const failed = samples.filter((s) => !s.ok).length;
  if (failed > 0 || samples.length === 0)
    throw new Error(`${url}: ${failed} of ${samples.length} requests failed during the throughput run`);
  const first = samples.reduce((min, s) => Math.min(min, s.sentAt), Number.POSITIVE_INFINITY);
  const last = samples.reduce((max, s) => Math.max(max, s.sentAt + s.latencyMs), 0);
  return { rps: samples.length / ((last - first) / 1000), p99Ms: p99(samples) };
}

type Targets = { listener: string; direct: string; nginx?: string };
const rounded = (value: number) => Math.round(value * 10) / 10;
const medianOf = (rounds: Round[]) => ({
  rps: Math.round(median(rounds.map((r) => r.rps))),
  p99Ms: rounded(median(rounds.map((r) => r.p99Ms))),
});

/** ROUNDS rounds of `measure` on each target, alternately (the order turns each round, so none always meets the machine's next burst). */
async function alternately(
  targets: Record<string, string>,
  measure: (url: string) => Promise<Round>,
): Promise<Record<string, { rps: number; p99Ms: number }>> {
  const names = Object.keys(targets);
  const rounds = new Map<string, Round[]>(names.map((name) => [name, []]));
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const name of order) rounds.get(name)?.push(await measure(targets[name] ?? ''));
  }
  return Object.fromEntries(names.map((name) => [name, medianOf(rounds.get(name) ?? [])]));
}

/**
 * Saturated rounds on every target; then, with nginx, the listener and nginx offered the same paced rate (half
 * nginx's maximum), so their p99s are compared at an equal load rather than each at its own saturation.
 */
async function measureAll(targets: Targets, round: (url: string) => Promise<Round>, home: string) {
  const { nginx, ...ours } = targets;
  const saturated = await alternately({ ...ours, ...(nginx ? { nginx } : {}) }, round);
  const listener = saturated.listener ?? { rps: 0, p99Ms: 0 };
  const direct = saturated.direct ?? { rps: 0, p99Ms: 0 };
  if (!nginx || !saturated.nginx) {
    const unavailable = 'needs nginx and wrk (Debian packages) on this machine';
    return { listener, direct, nginx: { unavailable }, atEqualRate: { unavailable } };
  }
  const offeredRps = Math.round(saturated.nginx.rps / 2);
  const script = join(home, 'paced.lua');
  await writeFile(script, `function delay() return math.random(0, ${2 * PACE_MS}) end\n`);
  const paced = await alternately({ listener: ours.listener, nginx }, (url) =>
    pacedWrkRound(url, offeredRps, script),
  );
  return {
    listener,
    direct,
    nginx: {
      ...saturated.nginx,
      listenerShare: Math.round((listener.rps / saturated.nginx.rps) * 100) / 100,
    },
    atEqualRate: {
      offeredRps,
      listenerRps: paced.listener?.rps ?? 0,
      listenerP99Ms: paced.listener?.p99Ms ?? 0,
      nginxRps: paced.nginx?.rps ?? 0,
      nginxP99Ms: paced.nginx?.p99Ms ?? 0,
    },
  };
}

/** The listener in front of two instances, healthy (bounded wait). */
async function listenerInFront(dataPlane: LocalDataPlane, instancePorts: number[]): Promise<string> {
  const key = { service: 'hello', environment: 'bench' };
  const { url } = await dataPlane.listenerFor(key);
  await dataPlane.commands.createGroup('bench', HEALTH, 0);
  for (const [i, port] of instancePorts.entries()) await dataPlane.commands.register('bench', `i-${i}`, port);
  await dataPlane.commands.setWeights(key, [{ fleetId: 'bench', percent: 100 }]);
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  while ((await dataPlane.commands.describe('bench'))?.healthy !== instancePorts.length) {
    if (Date.now() > deadline) throw new Error('the bench instances never became healthy');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return url;
}

/**
 * The local data plane's throughput (ADR 42): load is sent to one instance directly, through the listener in
 * front of two instances and, where installed, through nginx in front of the same two, alternately in one run,
 * so a busy machine weighs on all alike; then the listener and nginx at one equal paced rate. The load comes
 * from wrk where it is installed (Debian's package: a C client that is not itself the bottleneck), else from
 * the project's own generator (local/load); `generator` says which.
 */
export async function measureDataPlane(): Promise<DataPlaneFigures> {
  const hasWrk = await run('wrk', ['--version']).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  const round = hasWrk ? wrkRound : loadThreadRound;
  const home = await mkdtemp(join(tmpdir(), 'bakeshift-data-plane-bench-'));
  const appDir = join(home, 'app');
  await cp(join(HELLO, 'app'), appDir, { recursive: true });
  await writeFile(join(appDir, 'release.json'), await readFile(join(HELLO, 'releases', '1.0.0.json')));
  const loadAverage = Math.round((loadavg()[0] ?? 0) * 10) / 10;
  const instances = [await startInstance(appDir), await startInstance(appDir)];
  const ports = instances.map((i) => i.port);
  const dataPlane = new LocalDataPlane(join(home, 'listeners.json'));
  const nginx = hasWrk && (await hasNginx()) ? await startNginx(home, await freePort(), ports) : undefined;
  try {
    const listener = await listenerInFront(dataPlane, ports);
    const targets = { listener, direct: `http://127.0.0.1:${ports[0]}/`, nginx: nginx?.url };
    await round(listener); // warms it up: JIT, pools
    const figures = await measureAll(targets, round, home);
    return {
      listenerRps: figures.listener.rps,
      directRps: figures.direct.rps,
      listenerP99Ms: figures.listener.p99Ms,
      directP99Ms: figures.direct.p99Ms,
      ratio: Math.round((figures.listener.rps / figures.direct.rps) * 100) / 100,
      nginx: figures.nginx,
      atEqualRate: figures.atEqualRate,
      loadAverage,
      generator: `${hasWrk ? 'wrk -t1' : 'local/load (undici, its own thread)'}, ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds of ${ROUND_MS / 1000} s each; at an equal rate, connections pausing ${PACE_MS} ms on average`,
    };
  } finally {
    await nginx?.stop();
    await dataPlane.close();
    for (const { child } of instances) child.kill('SIGTERM');
    await rm(home, { recursive: true, force: true });
  }
}
