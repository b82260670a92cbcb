import { systemClock } from '../../../core/ports/clock.js';
import { createRecordFailure } from '../../../functions/record-failure.js';
import { awsStore } from '../aws-ports.js';

export const handler = createRecordFailure({ store: awsStore(), clock: systemClock });
