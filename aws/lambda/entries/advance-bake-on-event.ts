import { systemClock } from '../../../core/ports/clock.js';
import { createAdvanceBakeOnEvent } from '../../baker/advance-bake-on-event.js';
import { awsBaker } from '../aws-ports.js';

export const handler = createAdvanceBakeOnEvent({ baker: awsBaker(systemClock) });
