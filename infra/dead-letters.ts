import { Duration, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Where events and invocations that failed for good are kept: encrypted, TLS only, for 14 days. */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'this queue is itself a dead-letter queue',
  });
  return queue;
}

/**
 * EventBridge and Scheduler invoke functions asynchronously: a failure after Lambda's two retries goes to the
 * queue instead of being dropped (the rule's or schedule's own dead-letter queue only covers delivery).
 */
export function keepFailedInvocations(fn: IFunction, queue: IQueue): void {
  fn.configureAsyncInvoke({ onFailure: new SqsDestination(queue), retryAttempts: 2 });
}
