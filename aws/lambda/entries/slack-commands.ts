import { systemClock } from '../../../core/ports/clock.js';
import { createSlackCommands } from '../../../functions/slack-endpoints.js';
import { slackSigningSecret } from '../announcement-ports.js';
import { awsConfigs, awsStarter, awsStore } from '../aws-ports.js';

export const handler = createSlackCommands({
  store: awsStore(),
  configs: awsConfigs(),
  starter: awsStarter(),
  clock: systemClock,
  signingSecret: slackSigningSecret(),
});
