import { TransientFailure } from '../../core/errors.js';

/** Error names AWS services use for "slow down" or "try again": the state machine retries these. */
const TRANSIENT = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InsufficientInstanceCapacity',
  // S3's throttling answer (503 Slow Down) and DynamoDB's.
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

/** Turns AWS's transient errors into TransientFailure (retried by the ASL); others pass through unchanged. */
export async function withAwsErrors<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as Error).name;
    if (TRANSIENT.has(name))
      throw new TransientFailure(`${what}: ${name}: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}
