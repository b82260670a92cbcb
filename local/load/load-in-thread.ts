import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { cutoverOf, type LoadOptions, type LoadSample, loadWindow } from './load-generator.js';

/**
 * Steady load from a worker thread (load-thread.ts): the samples come back on `refresh()` and `stop()`, and
 * are read as the in-thread generator's are.
 */
export class LoadThread {
  samples: LoadSample[] = [];
  private readonly worker: Worker;
  private stopped = false;

  constructor(options: LoadOptions) {
    this.worker = new Worker(new URL('./load-thread.mjs', import.meta.url), { workerData: options });
  }

  /** Fetches the samples so far. */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    this.worker.postMessage('snapshot');
    [this.samples] = (await once(this.worker, 'message')) as [LoadSample[]];
  }

  /** Ends the load, keeps every sample. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
    [this.samples] = (await once(this.worker, 'message')) as [LoadSample[]];
    await this.worker.terminate();
  }

  between(from: number, to = Number.POSITIVE_INFINITY) {
    return loadWindow(this.samples, from, to);
  }

  cutoverMs(shiftAt: number, oldVersion: string): number {
    return cutoverOf(this.samples, shiftAt, oldVersion);
  }
}
