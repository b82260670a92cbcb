import { systemClock } from '../../../core/ports/clock.js';
import { createStartCongruenceRun } from '../../../functions/start-congruence-run.js';
import { awsNotifier } from '../announcement-ports.js';
import { awsConfigs, awsFleets, awsHealth, awsImageCatalog, awsStarter, awsStore } from '../aws-ports.js';

const configs = awsConfigs();
export const handler = createStartCongruenceRun({
  configs,
  store: awsStore(),
  baker: awsImageCatalog(),
  fleets: awsFleets(),
  health: awsHealth(),
  notifier: awsNotifier(configs),
  clock: systemClock,
  starter: awsStarter(),
});
