import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setFreeze } from '../../core/freezes/freeze-operations.js';
import { traceTasksTo } from '../../functions/commons/task-telemetry.js';
import { deploymentTraceIds as traceIdsOf } from '../../functions/commons/tracing.js';
import { REQUEST_REFUSALS } from '../../functions/prepare-deployment.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { awsWorld } from '../support/aws-world.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

let dynamo: LocalDynamoDb;
let receiver: OtlpReceiver;
let cloud: SimulatedCloud | undefined;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await traceTasksTo(undefined);
  await receiver.close();
  await dynamo.close();
});
afterEach(() => {
  cloud?.detach();
});

/**
 * On AWS each step is its own Lambda function, exporting its own span: they join one trace because every function
 * derives the trace and root span ids from the deployment id, and the step announcing the end emits the root.
 */
describe('every deployment an OpenTelemetry trace (Lambda functions over the simulated cloud)', () => {
  it('the spans of one deployment share one trace across functions, each a child of the root, in order', async () => {
    const tracing = await traceTasksTo(receiver.endpoint);
    if (!tracing) throw new Error('tracing was not configured');
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const v1 = await setup.world.deploy({ version: '1.0.0' });
    const v2 = await setup.world.deploy({ version: '2.0.0' });
    await tracing.flush(5_000, (error) => {
      throw error;
    });

    expect(receiver.rejected).toEqual([]);
    for (const { request, outcome } of [v1, v2]) {
      expect(outcome.status).toBe('SUCCEEDED');
      const { traceId, rootSpanId } = traceIdsOf(request.deploymentId);
      const spans = receiver.trace(traceId);
      const roots = spans.filter((s) => s.spanId === rootSpanId);
      expect(roots).toHaveLength(1);
      expect(roots[0]?.parentSpanId).toBe('');
      expect(roots[0]?.attributes).toMatchObject({
        'bakeshift.outcome': 'succeeded',
        'deployment.environment.name': 'staging',
        'bakeshift.version': request.version,
      });
      const steps = spans.filter((s) => s.spanId !== rootSpanId);
      expect(steps.every((s) => s.parentSpanId === rootSpanId)).toBe(true);
      // One span per function invocation (a polling state's attempts each), named after the function.
      const invoked = setup.world.calls
        .filter((c) => c.executionName === request.deploymentId)
        .map((c) => c.functionName);
      expect(steps.map((s) => s.name)).toEqual(invoked);
      expect(new Set(steps.map((s) => s.attributes['deployment.id']))).toEqual(
        new Set([request.deploymentId]),
      );
    }
  });

  it('a request refused before it is a deployment (a freeze) has its root span too, saying why', async () => {
    const tracing = await traceTasksTo(receiver.endpoint);
    if (!tracing) throw new Error('tracing was not configured');
    const setup = await awsWorld(dynamo);
    cloud = setup.cloud;
    const { world } = setup;
    await setFreeze(world.ports(), {
      environment: 'staging',
      until: new Date(world.clock.now().getTime() + 86_400_000).toISOString(),
      reason: 'holiday sales',
      by: 'carol',
    });
    // A version of its own: deployment ids (so trace ids) derive from the request, and the first test sent 1.0.0.
    const { request, outcome } = await world.deploy({ version: '1.0.1' });
    await tracing.flush(5_000, (error) => {
      throw error;
    });

    expect(outcome).toMatchObject({ status: 'FAILED', error: 'Frozen' });
    const { traceId, rootSpanId } = traceIdsOf(request.deploymentId);
    const spans = receiver.trace(traceId);
    const root = spans.find((s) => s.spanId === rootSpanId);
    expect(root?.attributes).toMatchObject({ 'bakeshift.outcome': 'rejected', 'error.type': 'Frozen' });
    expect(spans.filter((s) => s.spanId !== rootSpanId).map((s) => [s.name, s.parentSpanId])).toEqual([
      ['PrepareDeployment', rootSpanId],
    ]);
  });

  it("names the same refusals as the state machine's Catch to RequestRejected", () => {
    const catches = loadDeployDefinition().States.PrepareDeployment?.Catch ?? [];
    const rejected = catches.find((c) => c.Next === 'RequestRejected')?.ErrorEquals ?? [];
    expect([...rejected].sort()).toEqual([...REQUEST_REFUSALS].sort());
  });
});
