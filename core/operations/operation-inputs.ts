import * as z from 'zod';

const name = z.string().min(1).max(200);
/** Why a freeze or an override: one line of text, shown in terminals, Slack and the console (no escapes). */
const reason = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[^\p{Cc}]*$/u, 'must be one line without control characters (newlines, tabs, escapes)');

/**
 * What each operator operation takes, validated wherever a request arrives (the local API, the CLI, later the
 * AWS API). A refusal names the field and the reason (core/config/describe-issues.ts).
 */
export const OPERATION_INPUTS = {
  status: z.object({}),
  deploy: z.object({
    service: name,
    environment: name,
    version: name,
    /** A packed artifact on this machine (local mode's "upload"). */
    artifactFile: z.string().min(1).max(4096),
    requestedBy: name.optional(),
    /** Deploy other content under a version that was deployed before (refused otherwise). */
    forceNewVersion: z.boolean().default(false),
  }),
  deployment: z.object({ deploymentId: name }),
  metrics: z.object({ deploymentId: name }),
  history: z.object({
    service: name,
    environment: name.default('staging'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
  logs: z
    .object({
      /** Optional with a deployment (its service and environment are the deployment's). */
      service: name.optional(),
      /** On AWS each environment has its own log group; locally a service's instances share one file. */
      environment: name.default('staging'),
      lines: z.coerce.number().int().min(1).max(1000).default(50),
      /** Only this deployment's instances (its green fleet; on AWS the environment's output while it ran). */
      deploymentId: name.optional(),
      instanceId: name.optional(),
      stream: z.enum(['stdout', 'stderr', 'lifecycle']).optional(),
      /** Only lines at or after this time. */
      since: z.iso.datetime().optional(),
    })
    .refine((input) => input.service || input.deploymentId, {
      message: 'name a service, or a deployment (--deployment)',
      path: ['service'],
    }),
  events: z.object({ after: z.coerce.number().int().min(0).default(0) }),
  decide: z.object({
    deploymentId: name,
    approve: z.boolean(),
    /** The approver: the identity the caller was authenticated as, never a name it claims. */
    by: name,
    /** How that identity was established (local user, Slack user id, IAM ARN). */
    via: name.optional(),
  }),
  promote: z.object({ service: name, from: name, to: name, requestedBy: name }),
  rollback: z.object({
    service: name,
    environment: name,
    toVersion: name.optional(),
    requestedBy: name,
  }),
  congruence: z.object({ service: name, environment: name }),
  janitor: z.object({ dryRun: z.boolean().default(false) }),
  /** Sets a change freeze: a service, an environment, both or (neither given) everything, until a time. */
  freeze: z.object({
    service: name.optional(),
    environment: name.optional(),
    until: z.iso.datetime({ offset: true }),
    reason,
    /** Who froze: the authenticated caller (the local API's token owner, the IAM identity on AWS). */
    by: name,
    via: name.optional(),
  }),
  unfreeze: z.object({
    service: name.optional(),
    environment: name.optional(),
    by: name,
    via: name.optional(),
  }),
  freezes: z.object({}),
  /** Delivery figures (core/stats/delivery-figures.ts) over a period that ends now. */
  stats: z.object({
    service: name.optional(),
    /** The period's start (default: 30 days ago). */
    since: z.iso.datetime({ offset: true }).optional(),
  }),
  /** An approver's leave to deploy one version during a freeze (core/freezes/freeze-operations.ts). */
  overrideFreeze: z.object({
    service: name,
    environment: name,
    version: name,
    reason,
    /** The approver: the identity the caller was authenticated as, never a name it claims. */
    by: name,
    via: name.optional(),
  }),
} as const;

export type OperationName = keyof typeof OPERATION_INPUTS;
/** An operation's input as a caller writes it (defaults may be left out). */
export type OperationRequest<N extends OperationName> = z.input<(typeof OPERATION_INPUTS)[N]>;
/** An operation's input once validated (defaults filled in). */
export type OperationInput<N extends OperationName> = z.output<(typeof OPERATION_INPUTS)[N]>;
