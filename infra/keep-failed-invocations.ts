import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * EventBridge and Scheduler invoke functions asynchronously: a failure after Lambda's two retries goes to the
 * queue instead of being dropped (the rule's or schedule's own dead-letter queue only covers delivery).
 */
export function keepFailedInvocations(fn: IFunction, queue: IQueue): void {
  fn.configureAsyncInvoke({ onFailure: new SqsDestination(queue), retryAttempts: 2 });
}
