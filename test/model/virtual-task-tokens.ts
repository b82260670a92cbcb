import { LocalTaskTokens } from '../../local/engine/local-task-tokens.js';

/** Long enough never to end a history's wait in real time; short enough not to keep a run's process alive. */
const REAL_BACKSTOP_MS = 10 * 60 * 1000;

/**
 * The local engine's task tokens, with a callback Task's TimeoutSeconds counted on the world's virtual clock:
 * a wait whose answer never comes (a cancelled bake) ends when the world has nothing else to do and its
 * deadline is the next thing to happen, never because the machine was slow.
 */
export class VirtualTaskTokens extends LocalTaskTokens {
  private readonly deadlines = new Map<string, number>();

  constructor(private readonly now: () => number) {
    super();
  }

  override issue(executionName: string, timeoutMs: number) {
    const issued = super.issue(executionName, REAL_BACKSTOP_MS);
    this.deadlines.set(issued.token, this.now() + timeoutMs);
    const forget = () => this.deadlines.delete(issued.token);
    issued.answer.then(forget, forget);
    return issued;
  }

  override discard(taskToken: string): void {
    this.deadlines.delete(taskToken);
    super.discard(taskToken);
  }

  /** The earliest deadline of a wait, if any (epoch ms on the virtual clock). */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const deadline of this.deadlines.values())
      if (next === undefined || deadline < next) next = deadline;
    return next;
  }

  /** Ends (States.Timeout) every wait whose deadline is at or before `at`; returns how many. */
  async expire(at: number): Promise<number> {
    const due = [...this.deadlines].filter(([, deadline]) => deadline <= at).map(([token]) => token);
    for (const token of due) {
      this.deadlines.delete(token);
      await this.fail(token, 'States.Timeout', 'no answer within the Task timeout').catch(() => undefined);
    }
    return due.length;
  }
}
