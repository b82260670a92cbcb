import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { LoadOptions, LoadSample } from './load-generator.js';

/** Starts steady load in a worker thread; `stop()` ends it and returns every sample. */
export function loadInThread(options: LoadOptions): { stop: () => Promise<LoadSample[]> } {
  const worker = new Worker(new URL('./load-thread.mjs', import.meta.url), { workerData: options });
  const samples = once(worker, 'message').then(([value]) => value as LoadSample[]);
  return {
    stop: async () => {
      worker.postMessage('stop');
      const result = await samples;
      await worker.terminate();
      return result;
    },
  };
}
