import { parentPort, workerData } from 'node:worker_threads';
import { type DataPlaneAnswer, type DataPlaneCall, dataPlaneCommands } from './data-plane-commands.js';
import { LocalLoadBalancers } from './local-load-balancers.js';

/**
 * The data plane's thread: the local load balancers (listeners, target groups, health checks) with an event
 * loop of their own, so nothing the control plane does (unpacking, baking, the engine) delays a request.
 */
const port = parentPort;
if (!port) throw new Error('data-plane-thread.ts runs as a worker thread (see local-data-plane.ts)');
const commands = dataPlaneCommands(new LocalLoadBalancers((workerData as { portsFile: string }).portsFile));

port.on('message', (call: DataPlaneCall) => {
  const run = commands[call.command] as (...args: unknown[]) => unknown;
  Promise.resolve()
    .then(() => run(...call.args))
    .then(
      (result): DataPlaneAnswer => ({ id: call.id, result }),
      (error: Error): DataPlaneAnswer => ({
        id: call.id,
        error: { name: error.name, message: error.message },
      }),
    )
    .then((answer) => port.postMessage(answer));
});
