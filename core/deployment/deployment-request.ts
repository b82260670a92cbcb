import * as z from 'zod';
import { Trigger } from '../config/service-config.js';
import { DriftReport } from '../congruence/drift-report.js';

/** The identity of an artifact in its store: S3's bucket, key, version id and etag. */
export const ArtifactRef = z
  .object({
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().min(1).optional(),
    etag: z.string().min(1),
  })
  .strict();
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/** The input of one execution of statemachines/deploy.asl.json. */
export const DeploymentRequest = z
  .object({
    deploymentId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1-80 of A-Z a-z 0-9 _ -'),
    service: z.string().min(1),
    environment: z.string().min(1),
    trigger: Trigger,
    version: z.string().min(1).max(128),
    artifact: ArtifactRef.optional(),
    /** An image that already exists: rollback and promote deploy it without a bake. */
    imageId: z.string().min(1).optional(),
    requestedBy: z.string().min(1),
    requestedAt: z.iso.datetime(),
    /**
     * When the change entered the pipeline: the artifact's upload, i.e. the first environment's request. A
     * promotion carries it from the deployment it promotes, so lead time runs from the upload, not the promotion.
     */
    changeRequestedAt: z.iso.datetime().optional(),
    /** A congruence run's report on the fleet it replaces: kept with the deployment's record. */
    drift: DriftReport.optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    const needsImage = request.trigger === 'rollback' || request.trigger === 'promote';
    if (needsImage && !request.imageId) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageId'],
        message: `a ${request.trigger} deploys an existing image`,
      });
    }
    if (!needsImage && !request.artifact) {
      ctx.addIssue({
        code: 'custom',
        path: ['artifact'],
        message: `a ${request.trigger} deployment bakes an artifact`,
      });
    }
  });
export type DeploymentRequest = z.infer<typeof DeploymentRequest>;
