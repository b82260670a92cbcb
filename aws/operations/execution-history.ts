import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StepEvent } from '../../core/operations/operations.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { waitSecondsOf } from '../../statemachines/wait-seconds.js';

/** `TaskStateEntered`, `ChoiceStateExited`, … : the state's type and whether it was entered or left. */
const STATE_EVENT = /^(Task|Choice|Pass|Wait|Parallel|Map|Succeed|Fail)State(Entered|Exited)$/;
/** A Task's attempt failing: followed by a new attempt (a Retry) or by leaving the state (a Catch). */
const ATTEMPT_FAILED = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
]);
const ATTEMPT_SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled']);
const EXECUTION_FAILED = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

let deployDefinition: ReturnType<typeof loadDeployDefinition> | undefined;
/** Read once, when a Wait state is first met. */
const definition = () => {
  deployDefinition ??= loadDeployDefinition();
  return deployDefinition;
};

type Failure = { error?: string | undefined; cause?: string | undefined };

function failureOf(event: HistoryEvent): Failure {
  return (
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails ??
    {}
  );
}

/**
 * An execution's history (GetExecutionHistory, oldest first) as the step events the progress display reads,
 * the same the local engine emits: StateEntered / StateExited, StateRetried for a failed attempt that is tried
 * again, StateFailed for one that is not, ExecutionSucceeded / ExecutionFailed. A failed attempt is decided by
 * what follows it, so the last one of a running execution waits for the next read: the list only ever grows.
 */
export function stepEventsOf(history: HistoryEvent[]): StepEvent[] {
  const reader = new HistoryReader();
  for (const event of history) reader.read(event);
  return reader.events;
}

class HistoryReader {
  readonly events: StepEvent[] = [];
  private current: { name: string; type: string } | undefined;
  /** The last failed attempt, until what follows it says whether it was retried. */
  private failed: StepEvent | undefined;

  read(event: HistoryEvent): void {
    const type = event.type ?? '';
    const timestamp = event.timestamp?.getTime() ?? 0;
    const state = STATE_EVENT.exec(type);
    const { error, cause } = failureOf(event);
    if (state) this.state(event, timestamp, state[1] ?? '', state[2] ?? '');
    else if (ATTEMPT_SCHEDULED.has(type)) this.settle(true);
    else if (ATTEMPT_FAILED.has(type)) {
      const state = this.current ? { state: this.current } : {};
      this.failed = { type: 'StateFailed', timestamp, ...state, Error: error, Cause: cause };
    } else if (type === 'ExecutionSucceeded') this.events.push({ type, timestamp });
    else if (EXECUTION_FAILED.has(type)) {
      this.settle(false);
      this.events.push({ type: 'ExecutionFailed', timestamp, Error: error, Cause: cause });
    }
  }

  private state(event: HistoryEvent, timestamp: number, stateType: string, change: string): void {
    this.settle(false);
    const name = (event.stateEnteredEventDetails ?? event.stateExitedEventDetails)?.name ?? '';
    this.current = { name, type: stateType };
    const waitSeconds =
      stateType === 'Wait' && change === 'Entered'
        ? waitSecondsOf(definition().States[name], event.stateEnteredEventDetails?.input, timestamp)
        : undefined;
    this.events.push({
      type: `State${change}`,
      timestamp,
      state: this.current,
      ...(waitSeconds === undefined ? {} : { waitSeconds }),
    });
  }

  private settle(retried: boolean): void {
    if (this.failed) this.events.push(retried ? { ...this.failed, type: 'StateRetried' } : this.failed);
    this.failed = undefined;
  }
}

/** An execution's ARN: the state machine's, with `execution` and the execution's name (the deployment id). */
export const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
