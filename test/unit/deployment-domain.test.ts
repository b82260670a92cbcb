import { describe, expect, it } from 'vitest';
import { bakeKeyOf } from '../../core/deployment/bake-key.js';
import { deriveDeploymentId } from '../../core/deployment/deployment-id.js';
import { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { describeFailure } from '../../core/deployment/describe-failure.js';
import { greenCapacity } from '../../core/deployment/green-capacity.js';
import { phaseDurations } from '../../core/deployment/phase-durations.js';
import { trafficSteps, weightsAt } from '../../core/deployment/traffic-plan.js';

const artifact = { bucket: 'artifacts', key: 'web/1.2.0.tgz', versionId: 'abc', etag: 'e1' };

describe('deployment ids', () => {
  const source = {
    service: 'web',
    environment: 'prod',
    trigger: 'artifact' as const,
    artifact,
    requestedAt: '2026-01-01T00:00:00Z',
  };

  it('are derived from the artifact identity, so a repeated S3 event names the same deployment', () => {
    expect(deriveDeploymentId(source)).toBe(
      deriveDeploymentId({ ...source, requestedAt: '2026-02-02T00:00:00Z' }),
    );
    expect(deriveDeploymentId(source)).not.toBe(
      deriveDeploymentId({ ...source, artifact: { ...artifact, versionId: 'def' } }),
    );
  });

  it('fit Step Functions execution names', () => {
    const id = deriveDeploymentId({ ...source, service: 'a'.repeat(32), environment: 'b'.repeat(16) });
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('name other triggers after what and when', () => {
    const rollback = { ...source, trigger: 'rollback' as const, imageId: 'image-1' };
    expect(deriveDeploymentId(rollback)).not.toBe(
      deriveDeploymentId({ ...rollback, requestedAt: '2026-03-03T00:00:00Z' }),
    );
  });
});

describe('deployment requests', () => {
  const base = {
    deploymentId: 'web-prod-1',
    service: 'web',
    environment: 'prod',
    version: '1.0.0',
    requestedBy: 'ci',
    requestedAt: '2026-01-01T00:00:00Z',
  };
  it('require an image for rollback and promote, and an artifact otherwise', () => {
    expect(DeploymentRequest.safeParse({ ...base, trigger: 'rollback' }).error?.issues[0]?.path).toEqual([
      'imageId',
    ]);
    expect(DeploymentRequest.safeParse({ ...base, trigger: 'artifact' }).error?.issues[0]?.path).toEqual([
      'artifact',
    ]);
    expect(DeploymentRequest.safeParse({ ...base, trigger: 'promote', imageId: 'image-1' }).success).toBe(
      true,
    );
  });
});

describe('bake keys', () => {
  it('change with the artifact bytes, the base image or the recipe, and not with the artifact name', () => {
    const key = bakeKeyOf({ artifact, baseImageId: 'ami-1', recipe: 'r1' });
    expect(
      bakeKeyOf({ artifact: { ...artifact, key: 'web/renamed.tgz' }, baseImageId: 'ami-1', recipe: 'r1' }),
    ).toBe(key);
    expect(bakeKeyOf({ artifact: { ...artifact, etag: 'e2' }, baseImageId: 'ami-1', recipe: 'r1' })).not.toBe(
      key,
    );
    expect(bakeKeyOf({ artifact, baseImageId: 'ami-2', recipe: 'r1' })).not.toBe(key);
    expect(bakeKeyOf({ artifact, baseImageId: 'ami-1', recipe: 'r2' })).not.toBe(key);
  });
});

describe('green capacity', () => {
  it('follows blue’s current desired when blue scaled out, never below the configured', () => {
    expect(greenCapacity({ min: 1, desired: 2, max: 4 }, { min: 1, desired: 6, max: 8 })).toEqual({
      min: 1,
      desired: 6,
      max: 8,
    });
    expect(greenCapacity({ min: 1, desired: 2, max: 4 }, { min: 0, desired: 1, max: 1 })).toEqual({
      min: 1,
      desired: 2,
      max: 4,
    });
    expect(greenCapacity({ min: 1, desired: 2, max: 4 }, undefined)).toEqual({ min: 1, desired: 2, max: 4 });
  });
});

describe('traffic plan', () => {
  it('is one step to 100% for all-at-once', () => {
    expect(trafficSteps({ strategy: 'all-at-once' })).toEqual([{ percent: 100, holdSeconds: 0 }]);
  });
  it('splits blue and green, or gives green everything when there is no blue', () => {
    expect(weightsAt(10, 'g', 'b')).toEqual([
      { fleetId: 'b', percent: 90 },
      { fleetId: 'g', percent: 10 },
    ]);
    expect(weightsAt(10, 'g', undefined)).toEqual([{ fleetId: 'g', percent: 100 }]);
    expect(weightsAt(100, 'g', 'b')).toEqual([{ fleetId: 'g', percent: 100 }]);
  });
});

describe('failure descriptions', () => {
  it('take the message out of a Lambda error document', () => {
    const cause = JSON.stringify({ errorType: 'BakeFailed', errorMessage: 'npm ci failed', trace: [] });
    expect(describeFailure('BakeImage', { Error: 'BakeFailed', Cause: cause })).toEqual({
      step: 'BakeImage',
      error: 'BakeFailed',
      cause: 'npm ci failed',
    });
  });
  it('keep a plain cause and fall back to the error name', () => {
    expect(describeFailure('X', { Error: 'E', Cause: 'plain' }).cause).toBe('plain');
    expect(describeFailure('X', { Error: 'States.Timeout' }).cause).toBe('States.Timeout');
  });
});

describe('phase durations', () => {
  it('run from each phase’s start to the next one’s', () => {
    const durations = phaseDurations(
      {
        phases: {
          prepare: '2026-01-01T00:00:00Z',
          bake: '2026-01-01T00:00:02Z',
          launch: '2026-01-01T00:01:02Z',
        },
      } as never,
      new Date('2026-01-01T00:01:12Z'),
    );
    expect(durations).toEqual({ prepare: 2, bake: 60, launch: 10 });
  });
});
