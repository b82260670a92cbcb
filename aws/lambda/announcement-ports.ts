import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { WebClient } from '@slack/web-api';
import { SlackApprovalChannel } from '../../chatops/slack/slack-approval-channel.js';
import { SlackNotifier } from '../../chatops/slack/slack-notifier.js';
import { ConfigInvalid } from '../../core/errors.js';
import { FanOutNotifier } from '../../core/ports/fan-out-notifier.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import { EventBridgeNotifier } from '../events/eventbridge-notifier.js';
import { requiredEnvironment } from './lambda-environment.js';

/*
 * The ports that talk to people and other systems (EventBridge, Slack), apart from aws-ports.ts because the
 * Slack client has import-time side effects: only the functions that announce or ask bundle it.
 */

/** A secret's text from Secrets Manager, on first use, cached by Powertools for five minutes. */
function secretText(key: 'slackBotTokenSecret' | 'slackSigningSecret'): () => Promise<string> {
  const secret = requiredEnvironment(key);
  return async () => {
    const value = await getSecret(secret, { maxAge: 300 });
    if (typeof value !== 'string' || !value)
      throw new ConfigInvalid(`secret ${secret} is empty: set its value`);
    return value;
  };
}

export function slackClient(): () => Promise<WebClient> {
  const botToken = secretText('slackBotTokenSecret');
  return async () => new WebClient(await botToken());
}

export const slackSigningSecret = () => secretText('slackSigningSecret');

export function awsApprovals() {
  return new SlackApprovalChannel(slackClient());
}

/** Every transition on EventBridge, and in the environment's Slack channel when it has one. */
export function awsNotifier(configs: ServiceConfigs) {
  const channelOf = async (service: string, environment: string) =>
    (await configs.load(service)).config.environments[environment]?.slack?.channel;
  return new FanOutNotifier([
    new EventBridgeNotifier(new EventBridgeClient({}), requiredEnvironment('eventBus')),
    new SlackNotifier(slackClient(), channelOf),
  ]);
}
