import { systemClock } from '../../../core/ports/clock.js';
import { createLaunchGreen } from '../../../functions/launch-green.js';
import { awsImageCatalog, awsLaunchingFleets, awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createLaunchGreen({
  baker: awsImageCatalog(),
  fleets: awsLaunchingFleets(),
  traffic: awsTraffic(),
  store: awsStore(),
  clock: systemClock,
});
