import type { StateMachine } from 'aws-local-stepfunctions';

/** The engine's event type, which its package does not export by name. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionOutcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface LocalRun {
  result: Promise<unknown>;
  eventLogs: AsyncGenerator<EventLog>;
  abort: () => void;
}

/** One running (or finished) execution: its event history, live event feed and outcome. */
export class LocalExecution {
  readonly events: EventLog[] = [];
  readonly outcome: Promise<ExecutionOutcome>;
  private current: ExecutionStatus = 'RUNNING';
  private readonly listeners = new Set<(event: EventLog) => void>();

  constructor(
    readonly name: string,
    readonly input: unknown,
    private readonly run: LocalRun,
    private readonly onAbort: () => void,
  ) {
    const drained = this.drain();
    // The result and the last event can arrive in either order: wait for both.
    this.outcome = Promise.allSettled([run.result, drained]).then(() => {
      const outcome = this.outcomeFromEvents();
      this.current = outcome.status;
      return outcome;
    });
  }

  get status(): ExecutionStatus {
    return this.current;
  }

  /** Billed state transitions: every state entered, plus every retry. */
  get stateTransitions(): number {
    return this.events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried').length;
  }

  /** Replays the events so far, then follows new ones; returns an unsubscribe function. */
  onEvent(listener: (event: EventLog) => void): () => void {
    for (const event of this.events) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  abort(): void {
    if (this.current !== 'RUNNING') return;
    this.run.abort();
    this.onAbort();
  }

  private async drain(): Promise<void> {
    for await (const event of this.run.eventLogs) {
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
    }
  }

  private outcomeFromEvents(): ExecutionOutcome {
    const last = this.events.findLast((e) => e.type.startsWith('Execution') && e.type !== 'ExecutionStarted');
    switch (last?.type) {
      case 'ExecutionSucceeded':
        return { status: 'SUCCEEDED', output: last.output };
      case 'ExecutionFailed':
        return { status: 'FAILED', error: last.Error, cause: String(last.Cause ?? '') };
      default:
        return { status: 'ABORTED' };
    }
  }
}
