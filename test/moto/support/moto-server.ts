import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from '../../../local/fleets/free-port.js';

/** How long moto_server may take to answer its first request (it imports every service's backend). */
const START_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

export const MOTO_INSTALL_HINT = 'pip install "moto[server]"';

/**
 * The moto release every shim's citation was read against (test/moto/shims, docs/moto-shims.md). Another release
 * may have fixed a gap a shim still papers over, or opened one no shim covers, so the suite refuses to run on it
 * until someone re-reads the shims against that release's source and moves this line.
 */
export const MOTO_VERSION_READ = '5.2.1';

/** Fails at once, with the reason and the way to get it, when moto_server is not on the PATH. */
export function assertMotoServerInstalled(): void {
  const probe = spawnSync('moto_server', ['--help'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error || probe.status !== 0)
    throw new Error(
      `moto_server is not installed (${probe.error?.message ?? probe.stderr.trim()}): the moto suite runs bakeshift against it; install it with ${MOTO_INSTALL_HINT}`,
    );
}

/** Fails at once when the installed moto is not the release the shims were read against. */
export function assertMotoVersionRead(): void {
  const probe = spawnSync('python3', ['-c', "import importlib.metadata as m; print(m.version('moto'))"], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const installed = probe.stdout?.trim();
  if (probe.error || probe.status !== 0 || !installed)
    throw new Error(`could not read moto's version (${probe.error?.message ?? probe.stderr.trim()})`);
  if (installed !== MOTO_VERSION_READ)
    throw new Error(
      `moto ${installed} is installed, but the shims in test/moto/shims were read against moto ${MOTO_VERSION_READ}: re-read each shim's citation against ${installed}'s source, drop the shims it no longer needs, then set MOTO_VERSION_READ in test/moto/support/moto-server.ts`,
    );
}

/** Makes moto forget every resource of every service (moto's own API). */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto_server's reset answered ${response.status}`);
}

/** A moto_server on a free loopback port, started and stopped by the test run. */
export class MotoServer {
  private constructor(
    readonly endpoint: string,
    private readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  static async start(): Promise<MotoServer> {
    assertMotoServerInstalled();
    const port = await freePort();
    const output: string[] = [];
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kept short: the tail is what explains a crash.
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const stopOnExit = () => child.kill('SIGKILL');
    process.once('exit', stopOnExit);
    child.once('exit', () => process.off('exit', stopOnExit));
    const server = new MotoServer(`http://127.0.0.1:${port}`, child, output);
    await server.waitUntilAnswering();
    return server;
  }

  /** The last lines moto_server printed (its tracebacks name the moto source line that failed). */
  log(): string {
    return this.output.join('').split('\n').slice(-60).join('\n');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`moto_server exited with ${this.child.exitCode} at start:\n${this.log()}`);
      const answered = await fetch(`${this.endpoint}/moto-api/data.json`, {
        signal: AbortSignal.timeout(2_000),
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await this.stop();
    throw new Error(`moto_server did not answer within ${START_TIMEOUT_MS / 1000} s:\n${this.log()}`);
  }
}
