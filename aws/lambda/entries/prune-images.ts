import { systemClock } from '../../../core/ports/clock.js';
import { createPruneImages } from '../../../functions/prune-images.js';
import { awsFleets, awsImageCatalog, awsStore } from '../aws-ports.js';

export const handler = createPruneImages({
  baker: awsImageCatalog(),
  store: awsStore(),
  fleets: awsFleets(),
  clock: systemClock,
});
