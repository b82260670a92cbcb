import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the base root file system is cached between runs (outside any clone: CI clones afresh). */
export const BOOT_CACHE = process.env.BAKESHIFT_BOOT_CACHE ?? '/var/cache/bakeshift-boot';
const BASE_ROOT = join(BOOT_CACHE, 'bookworm-base');

/**
 * The cached Debian root file system with systemd and cloud-init, built on first use (about 2 minutes). Fails,
 * never skips, when this machine cannot build or boot one, with the reason: at once when a tool is missing
 * (test/unit/boot-harness.test.ts).
 */
export async function baseRootfs(root = BASE_ROOT): Promise<string> {
  const script = new URL('./build-base-rootfs.sh', import.meta.url).pathname;
  try {
    await run('bash', [script, root], { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: number };
    throw new Error(
      `the boot test cannot build its root file system (exit ${code}): ${String(stderr).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return root;
}

/** A copy of a root file system: an image is what a stopped machine's disk holds (what CreateImage captures). */
export async function copyRoot(from: string, to: string): Promise<string> {
  await rm(to, { recursive: true, force: true });
  await run('cp', ['-a', '--reflink=auto', from, to], { timeout: 5 * 60_000 });
  return to;
}

/** cloud-init's NoCloud seed: a new instance-id makes cloud-init treat the boot as a new instance, as on EC2. */
export async function seed(root: string, instanceId: string, userData: string): Promise<void> {
  const dir = join(root, 'var/lib/cloud/seed/nocloud');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'meta-data'), `instance-id: ${instanceId}\nlocal-hostname: ${instanceId}\n`);
  await writeFile(join(dir, 'user-data'), userData);
}

export interface Machine {
  /** Everything the machine wrote to its console (systemd's boot messages, the builder's report line). */
  console(): string;
  /** Resolves when the machine has powered off (by itself, or after `shutdown`), with nspawn's exit code. */
  readonly poweredOff: Promise<number | null>;
  /** An orderly shutdown, as `shutdown -h now` (nspawn turns SIGTERM into the container's halt signal). */
  shutdown(): void;
  /** Kills the machine's process group: the bound on every boot. */
  kill(): void;
}

/**
 * Boots a root file system under a real systemd with systemd-nspawn (sharing this machine's network, so the
 * machine reaches 127.0.0.1 and is reached there), its console piped here. Bounded: killed after `timeoutMs`.
 */
export async function boot(root: string, timeoutMs: number): Promise<Machine> {
  await mkdir('/run/systemd/nspawn', { recursive: true });
  const child: ChildProcess = spawn(
    'systemd-nspawn',
    ['-q', '-D', root, '-b', '--register=no', '--keep-unit', '--console=read-only'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const kill = () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const deadline = setTimeout(kill, timeoutMs);
  const poweredOff = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve(code);
    }),
  );
  return {
    console: () => output,
    poweredOff,
    shutdown: () => child.kill('SIGTERM'),
    kill,
  };
}

/** The PID (as this machine sees it) of the process listening on a TCP port, if any. */
export async function listenerPid(port: number): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]);
  const pid = /pid=(\d+)/.exec(stdout)?.[1];
  return pid ? Number(pid) : undefined;
}
