import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleInteractivity, type SlackResponse } from '../chatops/slack/interactivity.js';
import type { SlackClientSource } from '../chatops/slack/slack-client-source.js';
import { handleSlashCommand, type SlashCommandDeps } from '../chatops/slack/slash-command.js';
import type { SlackRequest } from '../chatops/slack/verify-slack-request.js';
import type { DecisionDeps } from '../core/approvals/decide-approval.js';
import { logger } from './commons/logger.js';

/** The signing secret comes from Secrets Manager at run time (cached by the caller), never from the environment. */
export type SecretSource = () => Promise<string>;

const requestOf = (event: APIGatewayProxyEventV2): SlackRequest => ({
  headers: event.headers ?? {},
  rawBody: event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? ''),
});

const responseOf = (response: SlackResponse): APIGatewayProxyStructuredResultV2 => ({
  statusCode: response.status,
  headers: { 'content-type': response.body.startsWith('{') ? 'application/json' : 'text/plain' },
  body: response.body,
});

const lambda = (run: (request: SlackRequest) => Promise<SlackResponse>) =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const response = await run(requestOf(event));
      if (response.status === 401) logger.warn('refused a Slack request', { reason: response.body });
      return responseOf(response);
    });

/** The Slack app's interactivity URL (a function URL on AWS): Approve and Reject clicks. */
export const createSlackInteractivity = (
  deps: DecisionDeps & { slack: SlackClientSource; signingSecret: SecretSource },
) =>
  lambda(async (request) =>
    handleInteractivity(request, { ...deps, signingSecret: await deps.signingSecret() }),
  );

/** The `/bakeshift` slash command's URL. */
export const createSlackCommands = (
  deps: Omit<SlashCommandDeps, 'signingSecret'> & { signingSecret: SecretSource },
) =>
  lambda(async (request) =>
    handleSlashCommand(request, { ...deps, signingSecret: await deps.signingSecret() }),
  );
