import { createDestroyGreen } from '../../../functions/destroy-green.js';
import { awsFleets, awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createDestroyGreen({ fleets: awsFleets(), store: awsStore(), traffic: awsTraffic() });
