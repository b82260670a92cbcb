import { systemClock } from '../../../core/ports/clock.js';
import { createSlackInteractivity } from '../../../functions/slack-endpoints.js';
import { awsApprovals, awsNotifier, slackClient, slackSigningSecret } from '../announcement-ports.js';
import { awsCallbacks, awsConfigs, awsStore } from '../aws-ports.js';

export const handler = createSlackInteractivity({
  store: awsStore(),
  callbacks: awsCallbacks(),
  approvals: awsApprovals(),
  notifier: awsNotifier(awsConfigs()),
  clock: systemClock,
  slack: slackClient(),
  signingSecret: slackSigningSecret(),
});
