import { systemClock } from '../../../core/ports/clock.js';
import { createDiscardBake } from '../../../functions/discard-bake.js';
import { awsBaker, awsStore } from '../aws-ports.js';

export const handler = createDiscardBake({ baker: awsBaker(systemClock), store: awsStore() });
