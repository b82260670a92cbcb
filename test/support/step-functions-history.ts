import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { EventLog } from '../../local/engine/local-execution.js';

/**
 * A test stand-in: the local engine's events of one execution written as Step Functions' GetExecutionHistory
 * would list them for our ASL (Task states call their functions by ARN, so their attempts are the
 * LambdaFunction* events), for the simulated cloud to answer with. Its shape is held to AWS's API model by
 * the API oracle; what `aws/operations/execution-history.ts` reads from it is tested against the local
 * engine's own events (the progress lines must be the same).
 */
export function stepFunctionsHistoryOf(events: readonly EventLog[]): HistoryEvent[] {
  const history: HistoryEvent[] = [];
  const add = (event: Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>, at: number) =>
    history.push({
      ...event,
      id: history.length + 1,
      previousEventId: history.length,
      timestamp: new Date(at),
    } as HistoryEvent);
  const attempt = (at: number) => {
    add(
      {
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
      },
      at,
    );
    add({ type: 'LambdaFunctionStarted' }, at);
  };
  for (const event of events) {
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        add(
          {
            type: 'ExecutionStarted',
            executionStartedEventDetails: { input: '{}', roleArn: 'arn:aws:iam::123456789012:role/sm' },
          },
          at,
        );
        break;
      case 'StateEntered':
        add(
          {
            type: `${event.state.type}StateEntered` as never,
            stateEnteredEventDetails: { name: event.state.name, input: '{}' },
          },
          at,
        );
        if (event.state.type === 'Task') attempt(at);
        break;
      case 'StateFailed':
        if (event.state.type === 'Task')
          add(
            {
              type: 'LambdaFunctionFailed',
              lambdaFunctionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') },
            },
            at,
          );
        break;
      case 'StateRetried':
        attempt(at);
        break;
      case 'StateExited':
        if (event.state.type === 'Task' && history.at(-1)?.type === 'LambdaFunctionStarted')
          add({ type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: '{}' } }, at);
        add(
          {
            type: `${event.state.type}StateExited` as never,
            stateExitedEventDetails: { name: event.state.name, output: '{}' },
          },
          at,
        );
        break;
      case 'ExecutionSucceeded':
        add({ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } }, at);
        break;
      case 'ExecutionFailed':
        add(
          {
            type: 'ExecutionFailed',
            executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') },
          },
          at,
        );
        break;
    }
  }
  return history;
}
