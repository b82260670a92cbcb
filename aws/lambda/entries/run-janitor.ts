import { systemClock } from '../../../core/ports/clock.js';
import { createRunJanitor } from '../../../functions/run-janitor.js';
import { awsJanitor } from '../aws-ports.js';

export const handler = createRunJanitor({ janitor: awsJanitor(systemClock) });
