import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineTask } from '../../functions/commons/define-task.js';
import { TRACE_FLUSH_BOUND_MS, traceTasksTo } from '../../functions/commons/task-telemetry.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';

const probe = defineTask(
  { name: 'Probe', input: z.object({ deploymentId: z.string() }), deploymentIdOf: (i) => i.deploymentId },
  async () => 'done',
);
const invoke = () => probe({ deploymentId: 'd-1' }, localLambdaContext('Probe', 30));

/** A collector that accepts the connection and never answers. */
let hanging: Server;
afterAll(async () => {
  await traceTasksTo(undefined);
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve));
});

describe('a step never waits on the trace exporter beyond its bound', () => {
  it('a collector that never answers delays a step by at most the flush bound', async () => {
    hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    await traceTasksTo(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`);
    const started = performance.now();
    await expect(invoke()).resolves.toBe('done');
    expect(performance.now() - started).toBeLessThan(TRACE_FLUSH_BOUND_MS + 1_000);
  });

  it('an unreachable collector fails no step', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await traceTasksTo(`http://127.0.0.1:${port}`);
    await expect(invoke()).resolves.toBe('done');
  });

  it('an endpoint the exporter cannot even parse fails no step (a compensation least of all)', async () => {
    // A mistyped `-c otlpEndpoint`: the exporter throws while being set up.
    await traceTasksTo('http://[bad').catch(() => undefined);
    await expect(invoke()).resolves.toBe('done');
  });
});
