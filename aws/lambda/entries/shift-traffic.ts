import { systemClock } from '../../../core/ports/clock.js';
import { createShiftTraffic } from '../../../functions/shift-traffic.js';
import { awsNotifier } from '../announcement-ports.js';
import { awsConfigs, awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createShiftTraffic({
  traffic: awsTraffic(),
  store: awsStore(),
  notifier: awsNotifier(awsConfigs()),
  clock: systemClock,
});
