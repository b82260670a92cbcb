import { createReapBlue } from '../../../functions/reap-blue.js';
import { awsFleets, awsTraffic } from '../aws-ports.js';

export const handler = createReapBlue({ fleets: awsFleets(), traffic: awsTraffic() });
