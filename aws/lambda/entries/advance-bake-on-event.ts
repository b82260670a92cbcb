import { systemClock } from '../../../core/ports/clock.js';
import { createAdvanceBakeOnEvent } from '../../../functions/advance-bake-on-event.js';
import { awsBaker } from '../aws-ports.js';

export const handler = createAdvanceBakeOnEvent({ baker: awsBaker(systemClock) });
