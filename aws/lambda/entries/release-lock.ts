import { createReleaseLock } from '../../../functions/release-lock.js';
import { awsStore } from '../aws-ports.js';

export const handler = createReleaseLock({ store: awsStore() });
