import * as z from 'zod';
import { CapacitySnapshot, Plan } from '../../core/deployment/deployment-plan.js';
import { InvalidInput } from '../../core/errors.js';

/**
 * The data the state machine carries between Tasks (statemachines/deploy.asl.json). Each handler parses the
 * part it needs with these schemas; unknown keys are dropped, so adding a field never breaks an old handler.
 */
export { Plan };

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
  /** The path the load balancer checks (the configuration's, else the manifest's): named in a failure's cause. */
  healthPath: z.string().optional(),
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
