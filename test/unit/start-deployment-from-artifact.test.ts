import { describe, expect, it } from 'vitest';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { createStartDeploymentFromArtifact } from '../../functions/start-deployment-from-artifact.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';

const event = (key: string, versionId = 'v1') => ({
  source: 'aws.s3',
  'detail-type': 'Object Created',
  time: '2026-11-21T12:00:00Z',
  detail: {
    bucket: { name: 'artifacts' },
    object: { key, etag: '"abc123"', 'version-id': versionId },
    requester: 'ci',
  },
});

describe('the artifact trigger (S3 Object Created → a deployment)', () => {
  it('names the deployment after the artifact, so a repeated event starts it once', async () => {
    const started = new Map<string, DeploymentRequest>();
    const trigger = createStartDeploymentFromArtifact({
      starter: {
        start: async (request) => {
          const fresh = !started.has(request.deploymentId);
          started.set(request.deploymentId, request);
          return { started: fresh };
        },
      },
    });
    const first = await trigger(event('web/prod/2.1.0.tgz'), localLambdaContext('Trigger', 10));
    const again = await trigger(
      { ...event('web/prod/2.1.0.tgz'), time: '2026-11-21T12:00:05Z' },
      localLambdaContext('Trigger', 10),
    );
    expect(first.started).toBe(true);
    expect(again).toEqual({ deploymentId: first.deploymentId, started: false });
    expect([...started.values()][0]).toMatchObject({
      service: 'web',
      environment: 'prod',
      version: '2.1.0',
      trigger: 'artifact',
      artifact: { bucket: 'artifacts', key: 'web/prod/2.1.0.tgz', etag: 'abc123', versionId: 'v1' },
      requestedBy: 'ci',
    });
  });

  it('rejects an object key that does not say what to deploy where', async () => {
    const trigger = createStartDeploymentFromArtifact({
      starter: { start: async () => ({ started: true }) },
    });
    await expect(trigger(event('uploads/web.tgz'), localLambdaContext('Trigger', 10))).rejects.toThrow(
      'object key "uploads/web.tgz": expected <service>/<environment>/<version>.tgz',
    );
    await expect(trigger({ source: 'aws.s3' }, localLambdaContext('Trigger', 10))).rejects.toMatchObject({
      name: 'InvalidInput',
    });
  });
});
