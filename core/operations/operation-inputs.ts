import * as z from 'zod';

const name = z.string().min(1).max(200);

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
  }),
  deployment: z.object({ deploymentId: name }),
  metrics: z.object({ deploymentId: name }),
  history: z.object({
    service: name,
    environment: name.default('staging'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
  logs: z.object({
    service: name,
    /** On AWS each environment has its own log group; locally a service's instances share one file. */
    environment: name.default('staging'),
    lines: z.coerce.number().int().min(1).max(1000).default(50),
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
} as const;

export type OperationName = keyof typeof OPERATION_INPUTS;
/** An operation's input as a caller writes it (defaults may be left out). */
export type OperationRequest<N extends OperationName> = z.input<(typeof OPERATION_INPUTS)[N]>;
/** An operation's input once validated (defaults filled in). */
export type OperationInput<N extends OperationName> = z.output<(typeof OPERATION_INPUTS)[N]>;
