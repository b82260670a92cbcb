import { systemClock } from '../../../core/ports/clock.js';
import { createPruneImages } from '../../../functions/prune-images.js';
import { awsImageCatalog, awsStore } from '../aws-ports.js';

export const handler = createPruneImages({
  baker: awsImageCatalog(),
  store: awsStore(),
  clock: systemClock,
});
