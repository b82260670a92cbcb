import * as z from 'zod';
import { Trigger } from '../../core/config/service-config.js';
import { InvalidInput } from '../../core/errors.js';

/**
 * The data the state machine carries between Tasks (statemachines/deploy.asl.json). Each handler parses the
 * part it needs with these schemas; unknown keys are dropped, so adding a field never breaks an old handler.
 */
const CapacitySnapshot = z.object({ min: z.number(), desired: z.number(), max: z.number() });

export const Plan = z.object({
  deploymentId: z.string(),
  service: z.string(),
  environment: z.string(),
  version: z.string(),
  trigger: Trigger,
  needsBake: z.boolean(),
  hasBlue: z.boolean(),
  approvalRequired: z.boolean(),
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
    bake: z.object({ baseImage: z.string(), timeoutSeconds: z.number() }),
    retainImages: z.number(),
  }),
});
export type Plan = z.infer<typeof Plan>;

export const ImageResult = z.object({
  imageId: z.string(),
  bakeKey: z.string().optional(),
  reused: z.boolean(),
});
export type ImageResult = z.infer<typeof ImageResult>;

export const GreenResult = z.object({
  fleetId: z.string(),
  imageId: z.string(),
  capacity: CapacitySnapshot,
  launchedAt: z.string(),
  previewUrl: z.string().optional(),
});

export const ShiftResult = z.object({
  stepIndex: z.number().int(),
  percent: z.number(),
  holdSeconds: z.number(),
  done: z.boolean(),
  at: z.string(),
});

export const CaughtError = z.object({ Error: z.string(), Cause: z.string().optional() });

/** State after Prepare. */
export const Planned = z.object({ deploymentId: z.string(), plan: Plan });

/** Blue, where a step only runs when there is one (the ASL's HasBlueToReap chooses). */
export function blueOf(plan: Plan): NonNullable<Plan['blue']> {
  if (!plan.blue)
    throw new InvalidInput('plan.blue is not set: this step runs only when there is a blue fleet');
  return plan.blue;
}

/** State once green is launched. */
export const WithGreen = z.object({ deploymentId: z.string(), plan: Plan, green: GreenResult });

/** A `.waitForTaskToken` Task's payload (see Parameters in the ASL). */
export const callbackPayload = <S extends z.ZodType>(state: S) =>
  z.object({ state, taskToken: z.string().min(1) });
