import { SLACK_USER_ID } from '../../core/config/service-config.js';
import { slackText } from './slack-text.js';

/**
 * How Slack shows a person: a Slack user id as a mention (`<@U…>`, which Slack renders with their current
 * name), any other identity (a local user, an IAM ARN) as it is written (escaped).
 */
export const mention = (identity: string) =>
  SLACK_USER_ID.test(identity) ? `<@${identity}>` : slackText(identity);

export const mentions = (identities: string[]) => identities.map(mention).join(', ');
