import { createReapBlue } from '../../../functions/reap-blue.js';
import { awsFleets } from '../aws-ports.js';

export const handler = createReapBlue({ fleets: awsFleets() });
