import { createRestoreTraffic } from '../../../functions/restore-traffic.js';
import { awsStore, awsTraffic } from '../aws-ports.js';

export const handler = createRestoreTraffic({ traffic: awsTraffic(), store: awsStore() });
