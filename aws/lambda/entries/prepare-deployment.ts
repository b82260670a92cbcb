import { systemClock } from '../../../core/ports/clock.js';
import { createPrepareDeployment } from '../../../functions/prepare-deployment.js';
import { awsNotifier } from '../announcement-ports.js';
import { awsConfigs, awsExecutions, awsStore } from '../aws-ports.js';

export const handler = createPrepareDeployment({
  configs: awsConfigs(),
  store: awsStore(),
  notifier: awsNotifier(awsConfigs()),
  clock: systemClock,
  executions: awsExecutions(),
});
