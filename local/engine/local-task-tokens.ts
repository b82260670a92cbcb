import { randomBytes } from 'node:crypto';
import { BakeshiftError } from '../../core/errors.js';
import type { TaskCallbacks } from '../../core/ports/task-callbacks.js';

/** Step Functions' answers to SendTaskSuccess/SendTaskFailure for a token nobody waits on. */
export class TaskTimedOut extends BakeshiftError {
  constructor() {
    super(
      'TaskTimedOut',
      'no task waits for this token: it timed out, was already answered, or never existed',
    );
  }
}

interface Waiting {
  executionName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Task tokens for `.waitForTaskToken` Tasks run by the local engine: the local SendTaskSuccess/SendTaskFailure.
 * Each wait gets a fresh opaque token, so a late answer to an earlier wait can never resume a later one.
 */
export class LocalTaskTokens implements TaskCallbacks {
  private readonly waiting = new Map<string, Waiting>();

  /** A new token and the promise its answer (or its timeout, as States.Timeout) settles. */
  issue(executionName: string, timeoutMs: number): { token: string; answer: Promise<unknown> } {
    const token = randomBytes(24).toString('base64url');
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new BakeshiftError('States.Timeout', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(token, { executionName, resolve, reject, timer });
    });
    // The answer can come while the Task's handler still runs, before anyone awaits it: that is not unhandled.
    answer.catch(() => undefined);
    return { token, answer };
  }

  async succeed(taskToken: string, output: Record<string, unknown>): Promise<void> {
    const waiting = this.take(taskToken);
    waiting.resolve(JSON.parse(JSON.stringify(output)));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    this.take(taskToken).reject(new BakeshiftError(error, cause));
  }

  /** Forgets a token whose Task failed before waiting (its handler threw). */
  discard(taskToken: string): void {
    const waiting = this.waiting.get(taskToken);
    if (waiting) clearTimeout(waiting.timer);
    this.waiting.delete(taskToken);
  }

  /** Ends every wait of an execution, e.g. when it is aborted. */
  cancelAll(executionName: string): void {
    for (const [token, waiting] of this.waiting) {
      if (waiting.executionName !== executionName) continue;
      this.discard(token);
      waiting.reject(new BakeshiftError('States.Runtime', 'execution aborted'));
    }
  }

  get pendingCount(): number {
    return this.waiting.size;
  }

  private take(taskToken: string): Waiting {
    const waiting = this.waiting.get(taskToken);
    if (!waiting) throw new TaskTimedOut();
    this.discard(taskToken);
    return waiting;
  }
}
