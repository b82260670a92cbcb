import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/**
 * Something that runs on the control plane and makes port calls: a deployment's execution (its Task handlers)
 * or a janitor run. Its calls are what the model's scheduler interleaves.
 */
export class ModelProcess {
  /** Calls waiting at the gate for their turn. */
  parked = 0;
  ended = false;
  /** Cut off by a crash: its calls never return. */
  dead = false;

  /** The order processes were created in: how waiting calls are ordered for the history's choices. */
  sequence = 0;

  constructor(
    readonly id: string,
    readonly kind: 'execution' | 'janitor',
    readonly generation: number,
    /** How commands and reports name it (e.g. "web/prod 3.0.0"). */
    readonly label: string,
  ) {}

  get live(): boolean {
    return !this.ended && !this.dead;
  }
}

/** One Task invocation (or janitor run) of a process: what the ports see as their caller. */
export interface Invocation {
  process: ModelProcess;
  stateName?: string;
  /** A Lambda that dies mid-step: after `left` more port calls, the next one never returns and `cut` fires. */
  cutOff?: { left: number; cut: () => void };
}

const callers = new AsyncLocalStorage<Invocation>();

export const currentInvocation = (): Invocation | undefined => callers.getStore();

export function runAs<T>(invocation: Invocation, work: () => T): T {
  return callers.run(invocation, work);
}

/** A promise that never settles, new each time: one shared would keep every cut-off call alive forever. */
const never = () => new Promise<never>(() => undefined);

interface Parked {
  process: ModelProcess;
  what: string;
  release: () => void;
}

/**
 * Interleaves the processes at their port calls: every port call of a process waits at the gate until it is
 * released (which call goes next is the generated history's choice, also while everything settles). A crash moves to the next generation: every call of an older process never returns,
 * as the work of a killed control plane stops where it was.
 */
export class ModelScheduler {
  generation = 0;
  /** Counts port calls and engine events: a world that changes nothing for a while waits only for time. */
  activity = 0;
  /** Port calls and API calls under way: while one is, the world is not idle and no process is cut off. */
  busy = 0;
  readonly processes: ModelProcess[] = [];
  private readonly parked: Parked[] = [];

  add(process: ModelProcess): ModelProcess {
    process.sequence = this.processes.length;
    this.processes.push(process);
    return process;
  }

  /** Called before every port call; returns when the call may proceed (never, for a dead or cut-off caller). */
  async gate(what: string): Promise<void> {
    this.activity += 1;
    const invocation = callers.getStore();
    if (!invocation) return;
    const { process } = invocation;
    if (!this.alive(process)) return never();
    if (invocation.cutOff) {
      if (invocation.cutOff.left <= 0) {
        invocation.cutOff.cut();
        return never();
      }
      invocation.cutOff.left -= 1;
    }
    process.parked += 1;
    // Counted as running again by release() itself: this continuation comes a microtask later.
    await new Promise<void>((release) => this.parked.push({ process, what, release }));
    if (!this.alive(process)) return never();
  }

  private alive(process: ModelProcess) {
    return process.generation === this.generation && !process.dead;
  }

  /** What is waiting at the gate, in the order it arrived. */
  waiting(): readonly { process: ModelProcess; what: string }[] {
    return this.parked;
  }

  /**
   * Lets the `pick`-th waiting call (modulo how many wait; ordered by process, then arrival, so the choice does
   * not depend on timing) proceed; returns what it was, if any.
   */
  release(pick: number): string | undefined {
    if (this.parked.length === 0) return undefined;
    const ordered = [...this.parked].sort((a, b) => a.process.sequence - b.process.sequence);
    const call = ordered[pick % ordered.length];
    if (!call) return undefined;
    this.parked.splice(this.parked.indexOf(call), 1);
    // At once, not when the released call resumes: quiescent() must not see it still parked meanwhile.
    call.process.parked -= 1;
    call.release();
    return `${call.process.label}: ${call.what}`;
  }

  /**
   * Waits until every live process waits at the gate or has ended and no call is under way (bounded: a process
   * waiting for a callback or a timer of the world gets `maxMs` of real time). Returns whether that was reached.
   */
  async quiescent(maxMs: number): Promise<boolean> {
    const started = performance.now();
    for (let turn = 0; ; turn++) {
      if (this.busy === 0 && !this.processes.some((p) => p.live && p.parked === 0)) return true;
      if (performance.now() - started > maxMs) return false;
      if (turn < 200) await nextTurn();
      else await sleep(1);
    }
  }

  /** Counts a call under way until `work` settles. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.busy += 1;
    this.activity += 1;
    try {
      return await work();
    } finally {
      this.busy -= 1;
      this.activity += 1;
    }
  }

  /** A crash: every process of this generation is cut off where it is; what waits at the gate never runs. */
  crash(): void {
    this.generation += 1;
    for (const process of this.processes) if (!process.ended) process.dead = true;
    this.parked.length = 0;
  }
}
