import { createHash } from 'node:crypto';
import type { Trigger } from '../config/service-config.js';
import type { ArtifactRef } from './deployment-request.js';

export interface DeploymentIdSource {
  service: string;
  environment: string;
  trigger: Trigger;
  artifact?: ArtifactRef;
  imageId?: string;
  requestedAt: string;
}

/**
 * The deployment id is also the execution name, so it must be deterministic: an artifact deployment is
 * named after the artifact's identity (bucket, key, version id), so S3's at-least-once events start it once.
 * Other triggers are named after what they deploy and when they were asked for.
 * Fits Step Functions' 80-character execution-name limit (service ≤ 32, environment ≤ 16).
 */
export function deriveDeploymentId(source: DeploymentIdSource): string {
  const identity =
    source.trigger === 'artifact' && source.artifact
      ? [source.artifact.bucket, source.artifact.key, source.artifact.versionId ?? source.artifact.etag]
      : [source.trigger, source.imageId ?? source.artifact?.etag ?? '', source.requestedAt];
  const digest = createHash('sha256').update(identity.join('\0')).digest('hex').slice(0, 16);
  return `${source.service}-${source.environment}-${digest}`;
}
