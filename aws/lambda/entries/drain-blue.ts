import { systemClock } from '../../../core/ports/clock.js';
import { createDrainBlue } from '../../../functions/drain-blue.js';
import { awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createDrainBlue({ traffic: awsTraffic(), store: awsStore(), clock: systemClock });
