import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deliverBakeOutcome } from '../../core/deployment/bake-outcome.js';
import type { Clock } from '../../core/ports/clock.js';
import type { BakeRequest, BakeStatus, Image, ImageBaker } from '../../core/ports/image-baker.js';
import type { TaskCallbacks } from '../../core/ports/task-callbacks.js';
import { checkImageTree } from '../artifacts/check-image-tree.js';
import { makeReadOnly, removeImageTree } from '../artifacts/image-tree.js';
import type { LocalArtifactStore } from '../artifacts/local-artifact-store.js';
import { type UnpackLimits, unpackArtifact } from '../artifacts/unpack-artifact.js';
import { bakeEnvironment } from './bake-environment.js';
import { checkLocalBasePackages } from './local-base-packages.js';

interface BakeState {
  request: BakeRequest;
  status: BakeStatus;
}

/** What local instances need from an image beyond the port's Image: how to start it. */
export interface LocalImage extends Image {
  start: string;
  root: string;
}

const LOG_TAIL_LINES = 20;

/**
 * Bakes locally: unpacks the artifact into `<home>/images/<imageId>/root`, runs the manifest's bake command there
 * with a time limit (its log kept beside the image), then makes the image read-only. The image id is derived from
 * the bake key (artifact bytes, base, recipe), so one bake key is baked once and reused.
 * Bake states are files under `<home>/bakes`, so a restarted control plane sees half-finished bakes.
 */
export class LocalImageBaker implements ImageBaker {
  readonly recipe = 'local-process-v1';
  private readonly running = new Map<string, ChildProcess>();
  private readonly waiting = new Map<string, string>();

  constructor(
    private readonly home: string,
    private readonly artifacts: LocalArtifactStore,
    private readonly callbacks: TaskCallbacks,
    private readonly clock: Clock,
    private readonly limits?: UnpackLimits,
  ) {}

  private get imagesDir() {
    return join(this.home, 'images');
  }
  private get bakesDir() {
    return join(this.home, 'bakes');
  }
  /** A bake's log, kept beside its record (the image directory it was written in is removed on failure). */
  bakeLogOf(bakeId: string) {
    return join(this.bakesDir, `${bakeId}.log`);
  }
  private npmLogsDirOf(bakeId: string) {
    return join(this.bakesDir, `${bakeId}.npm-logs`);
  }

  /** Locally the base is the Node runtime instances run on: a new Node version is a new base image. */
  async resolveBaseImage(reference: string) {
    return `${reference}@node-${process.versions.node}`;
  }

  async findImageByBakeKey(service: string, bakeKey: string) {
    return (await this.listImages(service)).find((image) => image.bakeKey === bakeKey);
  }

  async getImage(imageId: string): Promise<LocalImage | undefined> {
    const text = await readFile(join(this.imagesDir, imageId, 'image.json'), 'utf8').catch(() => undefined);
    return text ? (JSON.parse(text) as LocalImage) : undefined;
  }

  async startBake(request: BakeRequest) {
    if (await this.readBake(request.bakeId)) return;
    const state: BakeState = {
      request,
      status: { state: 'baking', startedAt: this.clock.now().toISOString() },
    };
    await this.writeBake(request.bakeId, state);
    void this.bake(state);
  }

  async checkBake(bakeId: string): Promise<BakeStatus> {
    return (await this.readBake(bakeId))?.status ?? { state: 'unknown' };
  }

  async notifyWhenDone(bakeId: string, taskToken: string) {
    this.waiting.set(bakeId, taskToken);
    const state = await this.readBake(bakeId);
    if (state && state.status.state !== 'baking') await this.deliver(state);
  }

  async cancelBake(bakeId: string) {
    const state = await this.readBake(bakeId);
    if (state?.status.state !== 'baking') return;
    stopProcessGroup(this.running.get(bakeId));
    await this.finish(state, { state: 'cancelled' });
  }

  async listImages(service: string) {
    const ids = await readdir(this.imagesDir).catch(() => [] as string[]);
    const images = await Promise.all(ids.filter((id) => !id.startsWith('.')).map((id) => this.getImage(id)));
    return images.filter((image): image is LocalImage => image?.service === service);
  }

  async discardImage(imageId: string) {
    await removeImageTree(join(this.imagesDir, imageId));
  }

  /** Bakes still running, for the janitor (a bake past its deadline is stuck). */
  async bakesInFlight(
    service: string,
  ): Promise<{ bakeId: string; deploymentId: string; startedAt: string }[]> {
    const files = await readdir(this.bakesDir).catch(() => [] as string[]);
    const states = await Promise.all(files.map((f) => this.readBake(f.replace(/\.json$/, ''))));
    return states.flatMap((s) =>
      s && s.request.service === service && s.status.state === 'baking'
        ? [{ bakeId: s.request.bakeId, deploymentId: s.request.deploymentId, startedAt: s.status.startedAt }]
        : [],
    );
  }

  /** Bakes left "baking" by a control plane that died: cancelled, their half-built directories removed. */
  async cancelAbandonedBakes(): Promise<string[]> {
    const files = await readdir(this.bakesDir).catch(() => [] as string[]);
    const abandoned: string[] = [];
    for (const file of files) {
      const state = await this.readBake(file.replace(/\.json$/, ''));
      if (state?.status.state === 'baking' && !this.running.has(state.request.bakeId)) {
        await this.finish(state, { state: 'cancelled' });
        abandoned.push(state.request.bakeId);
      }
    }
    for (const entry of await readdir(this.imagesDir).catch(() => [] as string[])) {
      if (entry.startsWith('.building-')) await removeImageTree(join(this.imagesDir, entry));
    }
    return abandoned;
  }

  private async bake(state: BakeState) {
    const { request } = state;
    const imageId = `img-${request.bakeKey.slice(0, 20)}`;
    const building = join(this.imagesDir, `.building-${request.bakeId}`);
    const logFile = join(building, 'bake.log');
    try {
      await removeImageTree(building);
      const manifest = await unpackArtifact(
        this.artifacts.pathOf(request.artifact),
        join(building, 'root'),
        this.limits,
      );
      checkLocalBasePackages(manifest.packages);
      if (manifest.bake) {
        await this.runBakeCommand(request, manifest.bake, join(building, 'root'), logFile);
        await checkImageTree(join(building, 'root'), 'after the bake command');
      }
      const image: LocalImage = {
        imageId,
        service: request.service,
        version: request.version,
        bakeKey: request.bakeKey,
        createdAt: this.clock.now().toISOString(),
        createdByDeployment: request.deploymentId,
        healthPath: manifest.healthPath,
        start: manifest.start,
        root: join(this.imagesDir, imageId, 'root'),
      };
      await writeFile(join(building, 'image.json'), JSON.stringify(image, null, 2));
      await makeReadOnly(join(building, 'root'));
      const current = await this.readBake(request.bakeId);
      if (current?.status.state !== 'baking') throw new Error('cancelled');
      await rename(building, join(this.imagesDir, imageId));
      await this.finish(state, { state: 'succeeded', image });
    } catch (error) {
      await mkdir(this.bakesDir, { recursive: true });
      await copyFile(logFile, this.bakeLogOf(request.bakeId)).catch(() => undefined);
      await removeImageTree(building);
      const current = await this.readBake(request.bakeId);
      if (current?.status.state === 'baking')
        await this.finish(state, { state: 'failed', reason: (error as Error).message });
    }
  }

  private async runBakeCommand(request: BakeRequest, command: string, cwd: string, logFile: string) {
    const log = createWriteStream(logFile);
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: bakeEnvironment(process.env, {
        passEnvironment: request.passEnvironment ?? [],
        home: cwd,
        logsDir: this.npmLogsDirOf(request.bakeId),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: the deadline stops what it started too, not only the shell.
      detached: true,
    });
    this.running.set(request.bakeId, child);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    // Once the command has exited, what it left running in the background is stopped: nothing may change the
    // image after it is checked, nor hold the bake by keeping its output open.
    child.on('exit', () => killProcessGroup(child));
    const timer = setTimeout(() => stopProcessGroup(child), request.timeoutSeconds * 1000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    this.running.delete(request.bakeId);
    await new Promise<void>((resolve) => log.end(resolve));
    if (code !== 0) {
      const tail = (await readFile(logFile, 'utf8')).trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
      const why = code === null ? `was stopped after ${request.timeoutSeconds}s` : `exited with ${code}`;
      throw new Error(
        `bake command "${command}" ${why}; last lines of its log (all of it: ${this.bakeLogOf(request.bakeId)}):\n${tail}`,
      );
    }
  }

  private async finish(state: BakeState, status: BakeStatus) {
    state.status = status;
    await this.writeBake(state.request.bakeId, state);
    await this.deliver(state);
  }

  private async deliver(state: BakeState) {
    const token = this.waiting.get(state.request.bakeId);
    if (!token || state.status.state === 'baking') return;
    this.waiting.delete(state.request.bakeId);
    // A token that timed out is refused (TaskTimedOut): the re-run Bake handler reads the outcome instead.
    await deliverBakeOutcome(this.callbacks, token, state.request.bakeKey, state.status).catch(
      () => undefined,
    );
  }

  private async readBake(bakeId: string): Promise<BakeState | undefined> {
    const text = await readFile(join(this.bakesDir, `${bakeId}.json`), 'utf8').catch(() => undefined);
    return text ? (JSON.parse(text) as BakeState) : undefined;
  }

  private async writeBake(bakeId: string, state: BakeState) {
    await mkdir(this.bakesDir, { recursive: true });
    const file = join(this.bakesDir, `${bakeId}.json`);
    await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2));
    await rename(`${file}.tmp`, file);
  }
}

/**
 * Kills a bake command's whole process group, and stops reading its output: a process that left the group
 * (setsid) and kept the pipes open cannot hold the bake past its deadline.
 */
function stopProcessGroup(child: ChildProcess | undefined) {
  if (!child) return;
  killProcessGroup(child);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

function killProcessGroup(child: ChildProcess) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}
