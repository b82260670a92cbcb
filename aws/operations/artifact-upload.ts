import { readFile } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { BakeshiftError } from '../../core/errors.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';

/** How long an upload may wait for its deployment to appear (EventBridge → the starter → PrepareDeployment). */
const APPEAR_TIMEOUT_MS = 120_000;
const APPEAR_INTERVAL_MS = 1_000;

/** The key the artifact trigger expects (functions/start-deployment-from-artifact.ts). */
export const artifactKey = (service: string, environment: string, version: string) =>
  `${service}/${environment}/${version}.tgz`;

/** Uploads an artifact where the trigger expects it; its ETag (unquoted) and version identify the upload. */
export async function uploadArtifact(
  s3: S3Client,
  target: { bucket: string; key: string; file: string; by: string },
): Promise<{ etag: string; versionId?: string; at: number }> {
  const at = Date.now();
  const { ETag, VersionId } = await s3.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: await readFile(target.file),
      ContentType: 'application/gzip',
      Metadata: { 'requested-by': target.by },
    }),
  );
  return { etag: (ETag ?? '').replaceAll('"', ''), ...(VersionId ? { versionId: VersionId } : {}), at };
}

/**
 * The deployment an upload started, once PrepareDeployment has recorded it: the newest record of that service
 * and environment carrying the upload's ETag (and version id). Bounded: a trigger that never fires is named.
 */
export async function deploymentOfUpload(
  store: ReleaseStore,
  where: { service: string; environment: string; key: string },
  upload: { etag: string; versionId?: string },
): Promise<DeploymentRecord> {
  const deadline = Date.now() + APPEAR_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const found = (await store.listDeployments(where.service, where.environment, 10)).find(
      (record) =>
        record.artifact?.key === where.key &&
        record.artifact.etag === upload.etag &&
        (!upload.versionId || record.artifact.versionId === upload.versionId),
    );
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, APPEAR_INTERVAL_MS));
  }
  throw new BakeshiftError(
    'NoDeploymentStarted',
    `${where.key} was uploaded, but no deployment recorded it within ${APPEAR_TIMEOUT_MS / 1000} s: check the ` +
      "stack's ArtifactUploaded rule and the StartDeploymentFromArtifact function's logs",
  );
}
