import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { readWithBash } from './bash-environment-file.js';

export interface SandboxRun {
  exitCode: number;
  stderr: string;
  /** Every file the script left under /etc and /opt, by absolute path (the agent's stand-in included). */
  files: Map<string, Buffer>;
  /** The systemctl commands it ran (a stand-in systemctl records them). */
  systemctl: string[];
  /** /etc/bakeshift/app.env as bash reads it (`readWithBash`), for the names asked. */
  parsed: Map<string, string>;
}

/**
 * Runs instance user data through the real bash, as cloud-init would as root, but in a sandbox (tests only): a
 * user and mount namespace (`unshare`) with a fresh tmpfs over /etc and /opt, and a stand-in `systemctl` that records
 * its arguments. One long-lived sandbox serves many scripts, each in a fresh /etc. Whatever else a script
 * runs runs for real (as the calling user), which is how a test sees a command escape.
 */
export class UserDataSandbox {
  private child: ChildProcess | undefined;
  private lines: Interface | undefined;
  private dir = '';
  private count = 0;

  async start(): Promise<void> {
    const probe = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'true']);
    if (probe.status !== 0)
      throw new Error(
        `the user-data sandbox needs unshare with user namespaces: ${probe.error?.message ?? probe.stderr.toString().trim()}`,
      );
    this.dir = await mkdtemp(join(tmpdir(), 'user-data-sandbox-'));
    const bin = join(this.dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'systemctl'), '#!/bin/sh\necho "$*" >> "$RUN/systemctl"\n', { mode: 0o755 });
    // The CloudWatch agent's control program, where the image has the agent (Amazon Linux): a stand-in too.
    const agent = '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl';
    const loop = `mount -t tmpfs sandbox /etc && mount -t tmpfs sandbox /opt || exit 3
while read -r RUN AGENT; do
  rm -rf /etc/* /opt/*
  if [ "$AGENT" = agent ]; then
    mkdir -p ${dirname(agent)} /opt/aws/amazon-cloudwatch-agent/etc && cp ${bin}/systemctl ${agent}
  fi
  export RUN && PATH=${bin}:$PATH bash "$RUN/user-data" > /dev/null 2> "$RUN/stderr"
  echo $? > "$RUN/rc"
  cp -a /etc "$RUN/etc" && cp -a /opt "$RUN/opt"
  echo done
done`;
    this.child = spawn('unshare', ['--user', '--map-root-user', '--mount', 'bash', '-c', loop], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
  }

  /**
   * Runs one script (its text, decoded); `names` are the variables to read back from app.env. With `agent`, the
   * image has the CloudWatch agent (its control program records its arguments with systemctl's).
   */
  async run(script: string, names: string[], options: { agent?: boolean } = {}): Promise<SandboxRun> {
    if (!this.child?.stdin || !this.lines) throw new Error('the sandbox is not started');
    this.count += 1;
    const run = join(this.dir, `run-${this.count}`);
    await mkdir(run);
    await writeFile(join(run, 'user-data'), script);
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the sandboxed script did not finish in 10 s')),
        10_000,
      );
      this.lines?.once('line', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.child.stdin.write(`${run} ${options.agent ? 'agent' : 'none'}\n`);
    await done;
    const result: SandboxRun = {
      exitCode: Number(await readFile(join(run, 'rc'), 'utf8')),
      stderr: await readFile(join(run, 'stderr'), 'utf8'),
      files: new Map([
        ...(await filesUnder(join(run, 'etc'), '/etc')),
        ...(await filesUnder(join(run, 'opt'), '/opt')),
      ]),
      systemctl: (await readFile(join(run, 'systemctl'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
      parsed: existsSync(join(run, 'etc/bakeshift/app.env'))
        ? readWithBash(join(run, 'etc/bakeshift/app.env'), names)
        : new Map(),
    };
    await rm(run, { recursive: true, force: true });
    return result;
  }

  async stop(): Promise<void> {
    this.child?.stdin?.end();
    if (this.child && this.child.exitCode === null)
      await new Promise((resolve) => this.child?.once('exit', resolve));
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function filesUnder(root: string, as: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files.set(join(as, relative(root, path)), await readFile(path));
  }
  return files;
}
