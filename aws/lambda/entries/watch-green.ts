import { systemClock } from '../../../core/ports/clock.js';
import { createWatchGreen } from '../../../functions/watch-green.js';
import { awsHealth, awsStore } from '../aws-ports.js';

export const handler = createWatchGreen({ health: awsHealth(), store: awsStore(), clock: systemClock });
