import { describe, expect, it } from 'vitest';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { createStartCongruenceRun } from '../../functions/start-congruence-run.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { FakeWorld } from '../support/fake-world.js';

const context = () => localLambdaContext('StartCongruenceRun', 60);

describe('the congruence schedule target (EventBridge Scheduler → a congruence deployment)', () => {
  it('reports drift, starts a congruence run that keeps the report in history, and honours replaceWhenUnchanged', async () => {
    const world = new FakeWorld();
    const v1 = await world.deploy({ version: '1.0.0' });
    expect(v1.outcome.status).toBe('SUCCEEDED');
    const started: DeploymentRequest[] = [];
    const handler = createStartCongruenceRun({
      ...world.ports(),
      starter: {
        start: async (request) => {
          started.push(request);
          return { started: true };
        },
      },
    });

    const run = await handler({ service: 'web', environment: 'staging' }, context());
    expect(run).toMatchObject({ started: true, driftFindings: 0 });
    const [request] = started;
    expect(request).toMatchObject({ trigger: 'congruence', version: '1.0.0', requestedBy: 'schedule' });
    expect(request?.drift?.liveImageId).toBe(v1.record?.imageId);
    expect(world.notifier.kinds(request?.deploymentId ?? '')).toEqual(['congruence_report']);
    const execution = await world.start(request as DeploymentRequest).outcome;
    expect(execution.status).toBe('SUCCEEDED');
    expect((await world.store.getDeployment(request?.deploymentId ?? ''))?.drift).toEqual(request?.drift);

    const { config } = await world.configs.load('web');
    const staging = config.environments.staging;
    if (!staging) throw new Error('the test configuration has no staging environment');
    staging.congruence = { schedule: 'cron(0 3 * * ? *)', timeZone: 'UTC', replaceWhenUnchanged: false };
    world.configs.set('web', config);
    expect(await handler({ service: 'web', environment: 'staging' }, context())).toEqual({
      started: false,
      reason: 'unchanged (same artifact, base and recipe); not replacing',
    });
    expect(started).toHaveLength(1);
  });

  it('refuses input that names no service, saying which field is wrong', async () => {
    const world = new FakeWorld();
    const handler = createStartCongruenceRun({
      ...world.ports(),
      starter: { start: async () => ({ started: true }) },
    });
    await expect(handler({ environment: 'staging' }, context())).rejects.toThrow(/service/);
  });
});
