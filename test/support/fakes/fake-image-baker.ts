import { deliverBakeOutcome } from '../../../core/deployment/bake-outcome.js';
import type { BakeRequest, BakeStatus, Image, ImageBaker } from '../../../core/ports/image-baker.js';
import type { TaskCallbacks } from '../../../core/ports/task-callbacks.js';
import type { FakeClock } from './fake-clock.js';

export type FakeBakeBehaviour = 'succeed' | 'fail' | 'never-finish';

interface FakeBake {
  request: BakeRequest;
  status: BakeStatus;
  taskToken?: string;
}

/**
 * An image baker for tests: a bake finishes on its own `bakeDelayMs` of real time after it starts (advancing
 * the fake clock by `bakeMinutes`), then resumes the waiting Task through the real callback path.
 */
export class FakeImageBaker implements ImageBaker {
  readonly recipe = 'fake-recipe-v1';
  readonly images = new Map<string, Image>();
  readonly bakes = new Map<string, FakeBake>();
  behaviour: FakeBakeBehaviour = 'succeed';
  bakeMinutes = 1;
  bakeDelayMs = 0;
  baseImageVersion = 'v1';
  private sequence = 0;

  constructor(
    private readonly callbacks: TaskCallbacks,
    private readonly clock: FakeClock,
  ) {}

  async resolveBaseImage(reference: string) {
    return `${reference}@${this.baseImageVersion}`;
  }

  async findImageByBakeKey(service: string, bakeKey: string) {
    return [...this.images.values()].find((i) => i.service === service && i.bakeKey === bakeKey);
  }

  async getImage(imageId: string) {
    return this.images.get(imageId);
  }

  async startBake(request: BakeRequest) {
    if (this.bakes.has(request.bakeId)) return;
    const bake: FakeBake = {
      request,
      status: { state: 'baking', startedAt: this.clock.now().toISOString() },
    };
    this.bakes.set(request.bakeId, bake);
    if (this.behaviour === 'never-finish') return;
    setTimeout(() => void this.finish(bake), this.bakeDelayMs);
  }

  async checkBake(bakeId: string): Promise<BakeStatus> {
    return this.bakes.get(bakeId)?.status ?? { state: 'unknown' };
  }

  async notifyWhenDone(bakeId: string, taskToken: string) {
    const bake = this.bakes.get(bakeId);
    if (!bake) throw new Error(`no bake ${bakeId}`);
    bake.taskToken = taskToken;
    if (bake.status.state !== 'baking') await this.deliver(bake);
  }

  async cancelBake(bakeId: string) {
    const bake = this.bakes.get(bakeId);
    if (bake?.status.state === 'baking') bake.status = { state: 'cancelled' };
  }

  async listImages(service: string) {
    return [...this.images.values()].filter((i) => i.service === service);
  }

  async discardImage(imageId: string) {
    this.images.delete(imageId);
  }

  /** Bakes that are still running: compensation must leave none. */
  inFlight(): BakeRequest[] {
    return [...this.bakes.values()].filter((b) => b.status.state === 'baking').map((b) => b.request);
  }

  private async finish(bake: FakeBake) {
    if (bake.status.state !== 'baking') return;
    this.clock.advance(this.bakeMinutes * 60);
    if (this.behaviour === 'fail') {
      bake.status = { state: 'failed', reason: 'bake command exited with 1: npm ci failed' };
    } else {
      const image: Image = {
        imageId: `image-${++this.sequence}`,
        service: bake.request.service,
        version: bake.request.version,
        bakeKey: bake.request.bakeKey,
        createdAt: this.clock.now().toISOString(),
        createdByDeployment: bake.request.deploymentId,
        healthPath: '/health',
      };
      this.images.set(image.imageId, image);
      bake.status = { state: 'succeeded', image };
    }
    if (bake.taskToken) await this.deliver(bake);
  }

  private async deliver(bake: FakeBake) {
    const token = bake.taskToken;
    if (!token) return;
    bake.taskToken = undefined;
    // A token that timed out is answered with TaskTimedOut, as on AWS: the re-run handler delivers instead.
    await deliverBakeOutcome(this.callbacks, token, bake.request.bakeKey, bake.status).catch(() => undefined);
  }
}
