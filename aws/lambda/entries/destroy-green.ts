import { createDestroyGreen } from '../../../functions/destroy-green.js';
import { awsFleets, awsStore } from '../aws-ports.js';

export const handler = createDestroyGreen({ fleets: awsFleets(), store: awsStore() });
