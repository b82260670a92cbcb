import type { WebClient } from '@slack/web-api';

/**
 * A Slack Web API client, or how to make one: on AWS the bot token is read from Secrets Manager on first use,
 * so it never sits in an environment variable and a cold start does not wait for it.
 */
export type SlackClientSource = WebClient | (() => Promise<WebClient>);

export const slackClientOf = async (source: SlackClientSource): Promise<WebClient> =>
  typeof source === 'function' ? source() : source;
