import * as z from 'zod';
import { PreTraffic, Trigger } from '../config/service-config.js';

/**
 * What PrepareDeployment decides and every later step follows: the deployment's identity, whether it bakes, blue,
 * and the environment's settings as they were when it started, so later edits do not leak in (ADR 7).
 */
export const CapacitySnapshot = z.object({ min: z.number(), desired: z.number(), max: z.number() });

export const Plan = z.object({
  deploymentId: z.string(),
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  trigger: Trigger,
  needsBake: z.boolean(),
  hasBlue: z.boolean(),
  approvalRequired: z.boolean(),
  /** Whether green's preview is tested before traffic (the ASL's BeforeTraffic choice reads it). */
  preTrafficTests: z.boolean().optional(),
  /** Set when the request names an existing image (rollback, promote). */
  imageId: z.string().optional(),
  greenFleetId: z.string(),
  blue: z
    .object({ fleetId: z.string(), imageId: z.string(), version: z.string(), capacity: CapacitySnapshot })
    .nullable(),
  /** The environment's configuration as it was when the deployment started: later edits do not leak in. */
  settings: z.object({
    capacity: CapacitySnapshot,
    variables: z.record(z.string(), z.string()),
    /** References only (never values); absent in plans made before secrets existed. */
    secrets: z.record(z.string(), z.string()).default({}),
    trafficSteps: z.array(z.object({ percent: z.number(), holdSeconds: z.number() })),
    healthCheck: z.object({
      path: z.string().optional(),
      intervalSeconds: z.number(),
      timeoutSeconds: z.number(),
      healthyThreshold: z.number(),
      unhealthyThreshold: z.number(),
      deadlineSeconds: z.number(),
    }),
    keepBlueWarmSeconds: z.number(),
    drainSeconds: z.number(),
    approval: z.object({ approvers: z.array(z.string()), timeoutSeconds: z.number() }).nullable(),
    slackChannel: z.string().optional(),
    bake: z.object({
      baseImage: z.string(),
      timeoutSeconds: z.number(),
      /** Absent in plans made before it existed: nothing more than the allowlist. */
      passEnvironment: z.array(z.string()).default([]),
    }),
    retainImages: z.number(),
    /**
     * Every environment of the service: PruneImages reads each one's deployments, so an image a first deployment
     * elsewhere adopted is never pruned under it. Absent in plans made before it existed: those it can find.
     */
    serviceEnvironments: z.array(z.string()).default([]),
    preTraffic: PreTraffic.optional(),
    /** Absent in plans made before analysis existed: then nothing is judged. Defaults fill older plans. */
    analysis: z
      .object({
        enabled: z.boolean(),
        alpha: z.number().default(0.01),
        minErrorIncrease: z.number().default(0.005),
        minLatencyIncreaseMs: z.number().default(20),
        warmUpSeconds: z.number().default(30),
        extendInconclusiveSeconds: z.number().default(300),
        onInconclusive: z.enum(['rollback', 'approval']).default('rollback'),
        /** Who decides an inconclusive verdict, and how long they have (`onInconclusive: approval`). */
        approval: z.object({ approvers: z.array(z.string()), timeoutSeconds: z.number() }).optional(),
        alarms: z.array(z.string()),
      })
      .optional(),
  }),
});
export type Plan = z.infer<typeof Plan>;
