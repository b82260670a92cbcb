import { systemClock } from '../../../core/ports/clock.js';
import { createWatchGreen } from '../../../functions/watch-green.js';
import { awsNotifier } from '../announcement-ports.js';
import { awsConfigs, awsHealth, awsMetrics, awsStore } from '../aws-ports.js';

export const handler = createWatchGreen({
  health: awsHealth(),
  metrics: awsMetrics(),
  store: awsStore(),
  clock: systemClock,
  notifier: awsNotifier(awsConfigs()),
});
