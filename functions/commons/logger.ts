import { Logger } from '@aws-lambda-powertools/logger';

/** One logger for all handlers; each invocation logs through a child carrying its deployment id. */
export const logger = new Logger({ serviceName: 'bakeshift' });
