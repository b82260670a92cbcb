import { createRunPreTrafficTests } from '../../../functions/run-pre-traffic-tests.js';
import { awsPreTrafficTests, awsStore } from '../aws-ports.js';

export const handler = createRunPreTrafficTests({ preTraffic: awsPreTrafficTests(), store: awsStore() });
