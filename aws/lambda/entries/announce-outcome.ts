import { systemClock } from '../../../core/ports/clock.js';
import { createAnnounceOutcome } from '../../../functions/announce-outcome.js';
import { awsNotifier } from '../announcement-ports.js';
import { awsConfigs, awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createAnnounceOutcome({
  notifier: awsNotifier(awsConfigs()),
  store: awsStore(),
  clock: systemClock,
  traffic: awsTraffic(),
});
