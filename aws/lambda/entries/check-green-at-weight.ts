import { systemClock } from '../../../core/ports/clock.js';
import { createCheckGreenAtWeight } from '../../../functions/check-green-at-weight.js';
import { awsNotifier } from '../announcement-ports.js';
import { awsConfigs, awsHealth, awsMetrics, awsStore } from '../aws-ports.js';

export const handler = createCheckGreenAtWeight({
  health: awsHealth(),
  metrics: awsMetrics(),
  store: awsStore(),
  clock: systemClock,
  notifier: awsNotifier(awsConfigs()),
});
