import { systemClock } from '../../../core/ports/clock.js';
import { createLaunchGreen } from '../../../functions/launch-green.js';
import { awsFleets, awsImageCatalog, awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createLaunchGreen({
  baker: awsImageCatalog(),
  fleets: awsFleets({ launches: true }),
  traffic: awsTraffic(),
  store: awsStore(),
  clock: systemClock,
});
