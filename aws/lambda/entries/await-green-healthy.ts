import { systemClock } from '../../../core/ports/clock.js';
import { createAwaitGreenHealthy } from '../../../functions/await-green-healthy.js';
import { awsHealth, awsStore } from '../aws-ports.js';

export const handler = createAwaitGreenHealthy({
  health: awsHealth(),
  store: awsStore(),
  clock: systemClock,
});
