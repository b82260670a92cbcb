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
    {
      timeout: ROUND_MS + 10_000,
    },
  );
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

/**
 * The local data plane's throughput (ADR 42): load is sent to one instance directly and through the listener in
 * front of two instances, alternately, in one run, so a busy machine weighs on both alike. The load comes from
 * wrk where it is installed (Debian's package: a C client that is not itself the bottleneck), else from the
 * project's own generator (local/load); `generator` says which.
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
  const dataPlane = new LocalDataPlane(join(home, 'listeners.json'));
  try {
    const key = { service: 'hello', environment: 'bench' };
    const { url } = await dataPlane.listenerFor(key);
    await dataPlane.commands.createGroup('bench', HEALTH, 0);
    for (const [i, instance] of instances.entries())
      await dataPlane.commands.register('bench', `i-${i}`, instance.port);
    await dataPlane.commands.setWeights(key, [{ fleetId: 'bench', percent: 100 }]);
    const deadline = Date.now() + HEALTHY_WITHIN_MS;
    while ((await dataPlane.commands.describe('bench'))?.healthy !== 2) {
      if (Date.now() > deadline) throw new Error('the bench instances never became healthy');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const direct = `http://127.0.0.1:${instances[0]?.port}/`;
    await round(url); // warms both up: JIT, pools
    const listenerRounds = [];
    const directRounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternating which goes first, so neither always meets the machine's next burst.
      if (i % 2 === 0) directRounds.push(await round(direct));
      listenerRounds.push(await round(url));
      if (i % 2 === 1) directRounds.push(await round(direct));
    }
    const listenerRps = Math.round(median(listenerRounds.map((r) => r.rps)));
    const directRps = Math.round(median(directRounds.map((r) => r.rps)));
    return {
      listenerRps,
      directRps,
      listenerP99Ms: Math.round(median(listenerRounds.map((r) => r.p99Ms)) * 10) / 10,
      directP99Ms: Math.round(median(directRounds.map((r) => r.p99Ms)) * 10) / 10,
      ratio: Math.round((listenerRps / directRps) * 100) / 100,
      loadAverage,
      generator: `${hasWrk ? 'wrk -t1' : 'local/load (undici, its own thread)'}, ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds of ${ROUND_MS / 1000} s each`,
    };
  } finally {
    await dataPlane.close();
    for (const { child } of instances) child.kill('SIGTERM');
    await rm(home, { recursive: true, force: true });
  }
}
