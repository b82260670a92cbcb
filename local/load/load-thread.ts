import { parentPort, workerData } from 'node:worker_threads';
import { LoadGenerator, type LoadOptions } from './load-generator.js';

/**
 * A load generator in a thread of its own, so what it measures is the service, not the event loop of whoever
 * started it. 'snapshot' posts the samples so far; 'stop' ends the load and posts them all.
 */
const port = parentPort;
if (!port) throw new Error('load-thread.ts runs as a worker thread (see load-in-thread.ts)');
const load = new LoadGenerator(workerData as LoadOptions);
load.start();
port.on('message', async (message: 'snapshot' | 'stop') => {
  if (message === 'stop') await load.stop();
  port.postMessage(load.samples);
});
