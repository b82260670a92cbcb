import { parentPort, workerData } from 'node:worker_threads';
import { LoadGenerator, type LoadOptions } from './load-generator.js';

/**
 * A load generator in a thread of its own, so what it measures is the service's latency, not the event loop
 * of whoever started it. Runs until told 'stop' (or its bounds), then posts its samples.
 */
const port = parentPort;
if (!port) throw new Error('load-thread.ts runs as a worker thread (see load-in-thread.ts)');
const load = new LoadGenerator(workerData as LoadOptions);
load.start();
port.once('message', async () => {
  await load.stop();
  port.postMessage(load.samples);
});
