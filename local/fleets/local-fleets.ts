import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LaunchFailed } from '../../core/errors.js';
import type { Fleet, FleetInstance, FleetRef, FleetSpec, Fleets } from '../../core/ports/fleets.js';
import type {
  FleetDiagnosis,
  InstanceDiagnostics,
  InstanceReport,
} from '../../core/ports/instance-diagnostics.js';
import type { LocalImage, LocalImageBaker } from '../baker/local-image-baker.js';
import type { LocalDataPlane } from '../load-balancer/local-data-plane.js';
import type { CentralLog } from './central-log.js';
import { freePort } from './free-port.js';
import { LocalSecrets } from './local-secrets.js';
import { OutputExcerpt } from './output-excerpt.js';
import { probeHealthPath } from './probe-health-path.js';

const SHIM = fileURLToPath(new URL('./instance-shim.mjs', import.meta.url));
/** Like an Auto Scaling group's replacement, bounded: a crash-looping app is not restarted forever. */
const MAX_RESTARTS_PER_MINUTE = 10;
/**
 * A crash loop: this many exits in a row, each within EARLY_EXIT_MS of its start (per unit of desired capacity,
 * at least 3). The fleet then stops replacing them: it cannot become healthy, and says so at once.
 */
const EARLY_EXITS_PER_INSTANCE = 2;
const EARLY_EXIT_MS = 10_000;
/** How many exits a diagnosis remembers. */
const KEPT_EXITS = 5;

interface Instance {
  instanceId: string;
  port: number;
  launchedAt: string;
  shim: ChildProcess;
  appPid?: number;
  stopping: boolean;
  exited: Promise<void>;
  /** Its first and last lines of output on each stream, for a diagnosis. */
  lastOutput: { stderr: OutputExcerpt; stdout: OutputExcerpt };
}

interface RunningFleet {
  spec: FleetSpec;
  image: LocalImage;
  instances: Map<string, Instance>;
  restarts: number[];
  destroying: boolean;
  /** Instances that exited unexpectedly, newest last (their output keeps arriving after the exit). */
  exits: { instanceId: string; exit: string; output: Instance['lastOutput'] }[];
  /** Exits in a row, each soon after its instance started (a later exit resets it). */
  earlyExits: number;
  /** Set once the fleet stops replacing instances that keep exiting: it cannot become healthy. */
  gaveUp?: string;
}

export interface LocalFleetsOptions {
  home: string;
  baker: LocalImageBaker;
  dataPlane: LocalDataPlane;
  log: CentralLog;
  /** Between SIGTERM and SIGKILL when an instance stops. */
  stopGraceMs?: number;
}

/**
 * Fleets as processes: each instance is the image's start command, run from the read-only image with `PORT`,
 * the environment's variables and secrets, a scratch directory of its own, and its output in the service's central
 * log. A crashed instance is replaced. Destroying a fleet drains it, then SIGTERM, then SIGKILL after a grace.
 */
export class LocalFleets implements Fleets, InstanceDiagnostics {
  private readonly fleets = new Map<string, RunningFleet>();
  /** The environments' secrets, read at each start of an instance (`<home>/secrets.json`). */
  readonly secrets: LocalSecrets;

  constructor(private readonly options: LocalFleetsOptions) {
    this.secrets = new LocalSecrets(join(options.home, 'secrets.json'));
  }

  private get instancesDir() {
    return join(this.options.home, 'instances');
  }

  async launch(spec: FleetSpec): Promise<Fleet> {
    const existing = this.fleets.get(spec.fleetId);
    if (existing) return describe(existing);
    const image = await this.options.baker.getImage(spec.imageId);
    if (!image) throw new LaunchFailed(`image ${spec.imageId} does not exist`);
    // Before anything is created: a secret that cannot be read fails the launch with nothing to undo.
    await this.secrets.resolve(spec.secrets);
    await this.options.dataPlane.listenerFor(spec);
    await this.options.dataPlane.commands.createGroup(spec.fleetId, spec.healthCheck, spec.drainSeconds);
    const fleet: RunningFleet = {
      spec,
      image,
      instances: new Map(),
      restarts: [],
      destroying: false,
      exits: [],
      earlyExits: 0,
    };
    this.fleets.set(spec.fleetId, fleet);
    // Started together, as an Auto Scaling group launches its instances.
    await Promise.all(Array.from({ length: spec.capacity.desired }, () => this.startInstance(fleet)));
    return describe(fleet);
  }

  async describe(fleetId: string): Promise<Fleet | undefined> {
    const fleet = this.fleets.get(fleetId);
    return fleet && describe(fleet);
  }

  async instances(fleetId: string): Promise<FleetInstance[]> {
    const fleet = this.fleets.get(fleetId);
    if (!fleet) return [];
    return [...fleet.instances.values()].map((i) => ({
      instanceId: i.instanceId,
      imageId: fleet.spec.imageId,
      launchedAt: i.launchedAt,
    }));
  }

  async destroy({ fleetId }: FleetRef): Promise<void> {
    const fleet = this.fleets.get(fleetId);
    if (!fleet) {
      await this.options.dataPlane.commands.removeGroup(fleetId);
      return;
    }
    fleet.destroying = true;
    await this.options.dataPlane.commands.deregisterAll(fleetId);
    await Promise.all([...fleet.instances.values()].map((instance) => this.stopInstance(fleet, instance)));
    await this.options.dataPlane.commands.removeGroup(fleetId);
    this.fleets.delete(fleetId);
  }

  async hopeless({ fleetId }: { fleetId: string }): Promise<string | undefined> {
    return this.fleets.get(fleetId)?.gaveUp;
  }

  /** The instances that exited (or, if none did, each running one's last output) and one health request. */
  async diagnose({ fleetId }: { fleetId: string }): Promise<FleetDiagnosis> {
    const fleet = this.fleets.get(fleetId);
    if (!fleet) return { instances: [] };
    const running = [...fleet.instances.values()];
    const instances: InstanceReport[] =
      fleet.exits.length > 0
        ? fleet.exits.map((e) => ({ instanceId: e.instanceId, exit: e.exit, lastOutput: outputOf(e.output) }))
        : running.map((i) => ({ instanceId: i.instanceId, lastOutput: outputOf(i.lastOutput) }));
    const [first] = running;
    // A fleet that gave up has nothing left worth asking: its exits say why.
    if (!first || fleet.gaveUp) return { instances };
    const probe = await probeHealthPath(first.instanceId, first.port, fleet.spec.healthCheck);
    return { instances, probe };
  }

  /** Process ids of every running instance, by fleet (for status and tests). */
  processIds(fleetId: string): number[] {
    return [...(this.fleets.get(fleetId)?.instances.values() ?? [])].flatMap((i) =>
      i.appPid ? [i.appPid] : [],
    );
  }

  fleetIds(): string[] {
    return [...this.fleets.keys()];
  }

  async imagesInUse(service: string): Promise<string[]> {
    return this.owned()
      .filter((f) => f.service === service)
      .map((f) => f.imageId);
  }

  /** Every running fleet with what it belongs to, for the janitor. */
  owned(): {
    fleetId: string;
    service: string;
    environment: string;
    deploymentId: string;
    imageId: string;
  }[] {
    return [...this.fleets.values()].map(({ spec }) => ({
      fleetId: spec.fleetId,
      imageId: spec.imageId,
      service: spec.service,
      environment: spec.environment,
      deploymentId: spec.deploymentId,
    }));
  }

  /** Stops every instance at once (the control plane is going away): no drain, SIGTERM then SIGKILL. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.fleets.values()].flatMap((fleet) => {
        fleet.destroying = true;
        return [...fleet.instances.values()].map((instance) => this.stopInstance(fleet, instance));
      }),
    );
    this.fleets.clear();
  }

  /**
   * After a control plane died: kills instances it left behind (their process groups, from the records under
   * `<home>/instances`). Returns how many were still alive.
   */
  async killOrphans(): Promise<number> {
    let killed = 0;
    const all = await readdir(this.instancesDir).catch(() => [] as string[]);
    // A record being written when the control plane died: never renamed into place, nothing to read.
    for (const aside of all.filter((f) => f.endsWith('.tmp')))
      await rm(join(this.instancesDir, aside), { force: true });
    for (const file of all.filter((f) => f.endsWith('.json'))) {
      const record = await readInstanceRecord(join(this.instancesDir, file));
      // The shim leads the instance's process group: killing the group kills the app with it.
      for (const pid of [record.shimPid, record.appPid]) {
        if (pid && isAlive(pid)) {
          killed += 1;
          killGroup(pid);
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone between the check and the kill.
          }
        }
      }
      await rm(join(this.instancesDir, file), { force: true });
    }
    return killed;
  }

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: an instance's start is one supervised sequence: process group, environment, logs, restart policy, registration
  private async startInstance(fleet: RunningFleet): Promise<void> {
    const { spec, image } = fleet;
    const instanceId = `i-${randomBytes(5).toString('hex')}`;
    const secrets = await this.secrets.resolve(spec.secrets);
    const port = await freePort();
    const scratch = join(this.options.home, 'scratch', instanceId);
    await mkdir(scratch, { recursive: true });
    const appEnv = {
      PATH: process.env.PATH ?? '',
      ...spec.variables,
      ...secrets,
      PORT: String(port),
      // Only the local load balancer reaches an instance (on AWS: 0.0.0.0, behind the ALB's security group).
      HOST: '127.0.0.1',
      HOME: scratch,
      TMPDIR: scratch,
      BAKESHIFT_INSTANCE_ID: instanceId,
      BAKESHIFT_SERVICE: spec.service,
      BAKESHIFT_ENVIRONMENT: spec.environment,
    };
    const shim = fork(SHIM, [], {
      env: {
        BAKESHIFT_START_COMMAND: image.start,
        BAKESHIFT_IMAGE_ROOT: image.root,
        BAKESHIFT_APP_ENV: JSON.stringify(appEnv),
        BAKESHIFT_STOP_GRACE_MS: String(this.options.stopGraceMs ?? 5000),
      },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a signal to the control plane's group cannot kill the shim and orphan its app.
      detached: true,
    });
    const exited = new Promise<void>((resolve) => shim.once('exit', () => resolve()));
    const instance: Instance = {
      instanceId,
      port,
      launchedAt: new Date().toISOString(),
      shim,
      stopping: false,
      exited,
      lastOutput: { stderr: new OutputExcerpt(), stdout: new OutputExcerpt() },
    };
    fleet.instances.set(instanceId, instance);
    const log = (stream: 'stdout' | 'stderr' | 'lifecycle', message: string) =>
      void this.options.log.write({
        service: spec.service,
        environment: spec.environment,
        fleetId: spec.fleetId,
        instanceId,
        stream,
        message,
      });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = shim[stream];
      if (source)
        createInterface({ input: source }).on('line', (line) => {
          log(stream, line);
          instance.lastOutput[stream].add(line);
        });
    }
    const recordFile = join(this.instancesDir, `${instanceId}.json`);
    await mkdir(this.instancesDir, { recursive: true });
    await writeInstanceRecord(recordFile, { fleetId: spec.fleetId, shimPid: shim.pid });
    let appExit: string | undefined;
    shim.on('message', (message: { appPid?: number; appExit?: string }) => {
      if (message.appExit) {
        appExit = message.appExit;
        return;
      }
      instance.appPid = message.appPid;
      void writeInstanceRecord(recordFile, {
        fleetId: spec.fleetId,
        shimPid: shim.pid,
        appPid: message.appPid,
      });
    });
    shim.once('exit', (code, signal) => {
      fleet.instances.delete(instanceId);
      void rm(recordFile, { force: true });
      void rm(scratch, { recursive: true, force: true });
      if (instance.stopping || fleet.destroying) return;
      const exit = describeExit(appExit ?? signal ?? `code ${code}`);
      log('lifecycle', `exited unexpectedly (${exit}); replacing it`);
      // The instance's own buffer: lines still in the pipe when it exited join it.
      keepLast(fleet.exits, { instanceId, exit, output: instance.lastOutput }, KEPT_EXITS);
      const early = Date.now() - Date.parse(instance.launchedAt) < EARLY_EXIT_MS;
      fleet.earlyExits = early ? fleet.earlyExits + 1 : 0;
      void this.options.dataPlane.commands.deregister(spec.fleetId, instanceId).catch(() => undefined);
      void this.replace(fleet).catch((error: Error) => log('lifecycle', `not replaced: ${error.message}`));
    });
    log('lifecycle', `started on port ${port} from ${image.imageId} (${spec.version})`);
    await this.options.dataPlane.commands.register(spec.fleetId, instanceId, port);
  }

  private async replace(fleet: RunningFleet) {
    const now = Date.now();
    const crashLoop = Math.max(3, EARLY_EXITS_PER_INSTANCE * fleet.spec.capacity.desired);
    if (fleet.earlyExits >= crashLoop) {
      fleet.gaveUp ??= `its instances keep exiting at start (${fleet.earlyExits} in a row, each within ${EARLY_EXIT_MS / 1000} s of starting), and no more are started`;
      return;
    }
    fleet.restarts = fleet.restarts.filter((at) => now - at < 60_000);
    if (fleet.restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      fleet.gaveUp ??= `its instances keep exiting: ${MAX_RESTARTS_PER_MINUTE} replaced within a minute, and no more are started`;
      return;
    }
    fleet.restarts.push(now);
    await this.startInstance(fleet);
  }

  private async stopInstance(fleet: RunningFleet, instance: Instance) {
    instance.stopping = true;
    instance.shim.kill('SIGTERM');
    const grace = (this.options.stopGraceMs ?? 5000) + 2000;
    const timedOut = await Promise.race([instance.exited.then(() => false), sleep(grace).then(() => true)]);
    if (timedOut && instance.shim.pid) {
      killGroup(instance.shim.pid);
      await instance.exited;
    }
    fleet.instances.delete(instance.instanceId);
  }
}

/** The shim reports "code 2" or a signal's name. */
const describeExit = (report: string) => (report.startsWith('code ') ? `exit ${report}` : `signal ${report}`);

/** Error output when there is some, else standard output: what the app said before it stopped. */
const outputOf = (output: Instance['lastOutput']) =>
  output.stderr.empty ? output.stdout.lines() : output.stderr.lines();

function keepLast<T>(list: T[], item: T, limit: number) {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

function describe(fleet: RunningFleet): Fleet {
  return {
    fleetId: fleet.spec.fleetId,
    imageId: fleet.spec.imageId,
    version: fleet.spec.version,
    capacity: fleet.spec.capacity,
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface InstanceRecord {
  fleetId?: string;
  shimPid?: number;
  appPid?: number;
}

/**
 * An instance's record, replaced whole (written aside, then renamed): a control plane killed mid-write leaves
 * the old record or the new one, never half of one.
 */
async function writeInstanceRecord(file: string, record: InstanceRecord): Promise<void> {
  const aside = `${file}.${process.pid}.tmp`;
  await writeFile(aside, JSON.stringify(record));
  await rename(aside, file);
}

/** A record as written; an unreadable one (from an older version) names no process. */
async function readInstanceRecord(file: string): Promise<InstanceRecord> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as InstanceRecord;
  } catch {
    return {};
  }
}
