import { Worker } from 'node:worker_threads';
import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import { BakeshiftError } from '../../core/errors.js';
import type {
  DataPlaneAnswer,
  DataPlaneCall,
  DataPlaneCommands,
  ListenerUrls,
} from './data-plane-commands.js';

/** How many weight changes are remembered (the latest). */
const MAX_REMEMBERED_CHANGES = 100;
/** Bounds every command: the data plane answers in microseconds unless it is gone. */
const COMMAND_TIMEOUT_MS = 60_000;

type Remote<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * The control plane's handle on the data plane, which runs in a worker thread of its own (ADR 26): each command
 * is a message, answered when the load balancers have done it. Listener URLs are also kept here, so `status`
 * reads them without a round trip.
 */
export class LocalDataPlane {
  readonly commands: Remote<DataPlaneCommands>;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, ListenerUrls>();
  /** The latest weight changes (for the demo's cutover figure and a look at what moved when). */
  readonly weightChanges: { service: string; environment: string; weights: FleetWeight[]; at: number }[] = [];
  private nextId = 0;

  constructor(portsFile: string) {
    this.worker = new Worker(new URL('./data-plane-thread.mjs', import.meta.url), {
      workerData: { portsFile },
    });
    this.worker.on('message', (answer: DataPlaneAnswer) => this.settle(answer));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`the data plane thread exited (${code})`)));
    const call =
      (command: keyof DataPlaneCommands) =>
      (...args: unknown[]) =>
        this.call(command, args);
    this.commands = new Proxy({} as Remote<DataPlaneCommands>, {
      get: (_, command) => call(command as keyof DataPlaneCommands),
    });
  }

  /** A listener pair for a service+environment (created on first use), its URLs remembered. */
  async listenerFor(key: { service: string; environment: string }): Promise<ListenerUrls> {
    const urls = await this.commands.listenerFor(key);
    this.listeners.set(`${key.service}/${key.environment}`, urls);
    return urls;
  }

  /** The listener's weights, replaced in one step; each change is remembered with when it took effect. */
  async setWeights(key: { service: string; environment: string }, weights: FleetWeight[]): Promise<void> {
    const at = await this.commands.setWeights(key, weights);
    this.weightChanges.push({ ...key, weights, at });
    this.weightChanges.splice(0, this.weightChanges.length - MAX_REMEMBERED_CHANGES);
  }

  /** Every listener's URLs, for `status` and `bakeshift up`. */
  urls(): ListenerUrls[] {
    return [...this.listeners.values()];
  }

  async close(): Promise<void> {
    await this.commands.close().catch(() => undefined);
    await this.worker.terminate();
  }

  private call(command: keyof DataPlaneCommands, args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the data plane did not answer ${command} within ${COMMAND_TIMEOUT_MS / 1000}s`));
      }, COMMAND_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ id, command, args } satisfies DataPlaneCall);
    });
  }

  private settle(answer: DataPlaneAnswer) {
    const waiting = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    if ('result' in answer) waiting?.resolve(answer.result);
    else waiting?.reject(new BakeshiftError(answer.error.name, answer.error.message));
  }

  private failAll(error: Error) {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
