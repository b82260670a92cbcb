import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { describeIssues } from '../core/config/describe-issues.js';
import { deriveDeploymentId } from '../core/deployment/deployment-id.js';
import type { DeploymentRequest } from '../core/deployment/deployment-request.js';
import { InvalidInput } from '../core/errors.js';
import type { DeploymentStarter } from '../core/ports/deployment-starter.js';
import { logger } from './commons/logger.js';

/** The EventBridge event S3 sends when an object is created (the fields bakeshift reads). */
export const ObjectCreatedEvent = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  time: z.string(),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({
      key: z.string(),
      etag: z.string(),
      'version-id': z.string().optional(),
      size: z.number().optional(),
    }),
    requester: z.string().optional(),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof ObjectCreatedEvent>;

/** Artifacts are uploaded as `<service>/<environment>/<version>.tgz`: the key says what to deploy where. */
const ARTIFACT_KEY =
  /^(?<service>[a-z][a-z0-9-]{0,31})\/(?<environment>[a-z][a-z0-9-]{0,15})\/(?<version>[A-Za-z0-9._+-]{1,128})\.tgz$/;

export function deploymentRequestOf(event: ObjectCreatedEvent): DeploymentRequest {
  const { key, etag } = event.detail.object;
  const match = ARTIFACT_KEY.exec(key)?.groups;
  if (!match?.service || !match.environment || !match.version) {
    throw new InvalidInput(`object key "${key}": expected <service>/<environment>/<version>.tgz`);
  }
  const artifact = {
    bucket: event.detail.bucket.name,
    key,
    etag: etag.replaceAll('"', ''),
    ...(event.detail.object['version-id'] ? { versionId: event.detail.object['version-id'] } : {}),
  };
  const base = {
    service: match.service,
    environment: match.environment,
    trigger: 'artifact' as const,
    artifact,
  };
  return {
    deploymentId: deriveDeploymentId({ ...base, requestedAt: event.time }),
    ...base,
    version: match.version,
    requestedBy: event.detail.requester ?? 's3-upload',
    requestedAt: event.time,
  };
}

/**
 * The EventBridge rule's target: turns an artifact upload into a deployment, named after the artifact so a
 * repeated (at-least-once) event starts nothing.
 */
export const createStartDeploymentFromArtifact = (ports: { starter: DeploymentStarter }) =>
  middy<unknown, { deploymentId: string; started: boolean }>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const parsed = ObjectCreatedEvent.safeParse(event);
      if (!parsed.success)
        throw new InvalidInput(describeIssues('Object Created event', parsed.error.issues));
      const request = deploymentRequestOf(parsed.data);
      const log: Logger = logger.createChild({ persistentKeys: { deploymentId: request.deploymentId } });
      const { started } = await ports.starter.start(request);
      log.info(started ? 'deployment started' : 'repeated event: the deployment exists already', {
        key: parsed.data.detail.object.key,
      });
      return { deploymentId: request.deploymentId, started };
    });
