import { ConfigInvalid } from '../../core/errors.js';

/** The environment variables the CDK app sets on bakeshift's functions; names only, never secret values. */
export const LAMBDA_ENVIRONMENT = {
  releaseTable: 'BAKESHIFT_RELEASE_TABLE',
  stateMachineArn: 'BAKESHIFT_STATE_MACHINE_ARN',
  eventBus: 'BAKESHIFT_EVENT_BUS',
  slackBotTokenSecret: 'BAKESHIFT_SLACK_BOT_TOKEN_SECRET',
  slackSigningSecret: 'BAKESHIFT_SLACK_SIGNING_SECRET',
} as const;

/** Read when a port is first built, so a function that lacks a variable it needs fails naming it. */
export function requiredEnvironment(key: keyof typeof LAMBDA_ENVIRONMENT): string {
  const name = LAMBDA_ENVIRONMENT[key];
  const value = process.env[name];
  if (!value) throw new ConfigInvalid(`environment variable ${name} is not set (the CDK app sets it)`);
  return value;
}
