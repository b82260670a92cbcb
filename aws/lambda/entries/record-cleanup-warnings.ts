import { createRecordCleanupWarnings } from '../../../functions/record-cleanup-warnings.js';
import { awsStore } from '../aws-ports.js';

export const handler = createRecordCleanupWarnings({ store: awsStore() });
