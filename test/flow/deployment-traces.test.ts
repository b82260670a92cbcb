import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeploymentTracing } from '../../functions/commons/otlp-tracing.js';
import { deploymentTraceIds } from '../../functions/commons/tracing.js';
import { traceExecution } from '../../local/control-plane/trace-execution.js';
import { taskStatesOf } from '../../statemachines/deploy-definition.js';
import { FakeWorld } from '../support/fake-world.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

/** Local mode's traces: the engine's step events, exported over OTLP/HTTP to a real receiver in this process. */
describe('every deployment an OpenTelemetry trace (local engine)', () => {
  let receiver: OtlpReceiver;
  let tracing: DeploymentTracing;
  const errors: Error[] = [];

  beforeEach(async () => {
    receiver = await OtlpReceiver.start();
    tracing = new DeploymentTracing(receiver.endpoint);
  });
  afterEach(async () => {
    await tracing.shutdown(2_000, (error) => errors.push(error));
    await receiver.close();
  });

  async function deployTraced(world: FakeWorld, version: string) {
    const request = world.request({ version });
    const execution = world.start(request);
    const traced = traceExecution(tracing, execution, world.store);
    const outcome = await execution.outcome;
    await traced;
    return { request, execution, outcome };
  }

  it('one trace per deployment: a root span, then one span per Task entered, in order, with the outcome', async () => {
    const world = new FakeWorld();
    const tasks = new Set(taskStatesOf(world.definition).map((t) => t.stateName));
    const v1 = await deployTraced(world, '1.0.0');
    world.health.brokenVersions.add('2.0.0');
    const v2 = await deployTraced(world, '2.0.0');
    await tracing.flush(5_000, (error) => errors.push(error));

    expect(v1.outcome.status).toBe('SUCCEEDED');
    expect(v2.outcome.status).toBe('FAILED');
    expect(receiver.rejected).toEqual([]);
    expect(errors).toEqual([]);
    const traceIds = new Set(receiver.spans.map((s) => s.traceId));
    expect(traceIds).toEqual(
      new Set([v1, v2].map((d) => deploymentTraceIds(d.request.deploymentId).traceId)),
    );

    for (const { request, execution } of [v1, v2]) {
      const { traceId, rootSpanId } = deploymentTraceIds(request.deploymentId);
      const spans = receiver.trace(traceId);
      const roots = spans.filter((s) => s.parentSpanId === '');
      expect(roots.map((r) => r.spanId)).toEqual([rootSpanId]);
      const steps = spans.filter((s) => s.parentSpanId !== '');
      expect(steps.every((s) => s.parentSpanId === rootSpanId)).toBe(true);
      const entered = world.statesEntered(execution).filter((name) => tasks.has(name));
      expect(steps.map((s) => s.name)).toEqual(entered);
      expect(roots[0]?.attributes).toMatchObject({
        'deployment.id': request.deploymentId,
        'deployment.name': 'web',
        'deployment.environment.name': 'staging',
        'bakeshift.version': request.version,
        'bakeshift.trigger': 'artifact',
        'cicd.pipeline.run.id': request.deploymentId,
      });
      expect(roots[0]?.resource['service.name']).toBe('bakeshift');
    }

    const root1 = receiver
      .trace(deploymentTraceIds(v1.request.deploymentId).traceId)
      .find((s) => s.parentSpanId === '');
    expect(root1?.attributes).toMatchObject({
      'bakeshift.outcome': 'succeeded',
      'cicd.pipeline.result': 'success',
      'deployment.status': 'succeeded',
    });
    expect(root1?.attributes['bakeshift.image_id']).toEqual(expect.any(String));
    expect(root1?.status.code).toBe(1);

    const spans2 = receiver.trace(deploymentTraceIds(v2.request.deploymentId).traceId);
    const root2 = spans2.find((s) => s.parentSpanId === '');
    expect(root2?.attributes).toMatchObject({
      'bakeshift.outcome': 'rolled_back',
      'cicd.pipeline.result': 'failure',
      'deployment.status': 'failed',
    });
    expect(String(root2?.attributes['bakeshift.cause'])).toMatch(/^AwaitGreenHealthy: /);
    expect(root2?.status.code).toBe(2);
    const health = spans2.find((s) => s.name === 'AwaitGreenHealthy');
    expect(health?.status.code).toBe(2);
    expect(health?.attributes['cicd.pipeline.task.run.result']).toBe('failure');
    expect(spans2.find((s) => s.name === 'RecordRollback')?.attributes['cicd.pipeline.task.run.result']).toBe(
      'success',
    );
  });
});
