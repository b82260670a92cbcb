import { systemClock } from '../../../core/ports/clock.js';
import { createBakeImage } from '../../../functions/bake-image.js';
import { awsBaker, awsCallbacks, awsStore } from '../aws-ports.js';

export const handler = createBakeImage({
  baker: awsBaker(systemClock),
  store: awsStore(),
  callbacks: awsCallbacks(),
  clock: systemClock,
});
