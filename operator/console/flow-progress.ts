import type { DeploymentOutlook } from '../../core/operations/deployment-outlook.js';
import type { StepEvent } from '../../core/operations/operations.js';
import type { FlowNode, FlowShape } from './flow-shape.js';
import { timelineOf } from './views/timeline.js';

export type StepState =
  | 'pending'
  | 'skipped'
  | 'running'
  | 'waiting'
  | 'judging'
  | 'done'
  | 'failed'
  | 'compensated';

/** What the deployment's outlook says about its holds: each traffic step's, and blue's warm window. */
export type HoldLengths = Pick<DeploymentOutlook, 'trafficSteps' | 'keepBlueWarmSeconds'>;

/**
 * The Tasks that hold traffic while green is judged (ADR 40): retried (StillJudging, StillWarm) until their hold
 * ends, each hold starting as the last shift ends. The length of the hold the `shifts`-th shift began.
 */
const HOLDS: Record<string, (lengths: HoldLengths, shifts: number) => number | undefined> = {
  CheckGreenAtWeight: (lengths, shifts) => lengths.trafficSteps?.[shifts - 1]?.holdSeconds,
  WatchGreen: (lengths) => lengths.keepBlueWarmSeconds,
};

export interface StepProgress {
  state: StepState;
  /** How many times the step was entered (a traffic step's states run once per step). */
  runs: number;
  /** Seconds its last run took, or has taken so far. */
  seconds?: number;
  /** The step the deployment is at now (running or waiting): highlighted. */
  current: boolean;
  error?: string;
  /** For a Wait state being waited in, or a hold being judged: when it ends (ms since the epoch), for a countdown. */
  waitsUntil?: number;
}

/** What a step's last run says, before the flow as a whole is considered. */
function ownState(node: FlowNode, last: ReturnType<typeof timelineOf>[number]): StepState {
  if (last.state === 'failed') return 'failed';
  if (last.state === 'done') return 'done';
  // Entered and not left: a Wait or a callback (an approval, a bake) waits; a Task runs, or waits for a retry.
  return last.state === 'waiting' || node.kind !== 'task' ? 'waiting' : 'running';
}

interface FlowFacts {
  runs: ReturnType<typeof timelineOf>;
  events: readonly StepEvent[];
  compensating: boolean;
  ended: boolean;
  /** The index in `runs` of the run that is current, or -1. */
  current: number;
  /** The position on the forward path of the furthest step entered. */
  furthest: number;
  now: number;
  holds: HoldLengths;
}

/** When the hold a judging step is in ends: its length after the end of the last traffic shift. */
function holdEndOf(name: string, facts: FlowFacts): number | undefined {
  const shifts = facts.events.filter((e) => e.type === 'StateExited' && e.state?.name === 'ShiftTraffic');
  const seconds = HOLDS[name]?.(facts.holds, shifts.length);
  const lastShift = shifts.at(-1);
  return lastShift && seconds !== undefined ? lastShift.timestamp + seconds * 1000 : undefined;
}

/** When the step being waited in ends: a Wait's own length, or the hold a judging step is in. */
function waitEndOf(node: FlowNode, state: StepState, facts: FlowFacts): number | undefined {
  if (state === 'judging') return holdEndOf(node.name, facts);
  if (state !== 'waiting') return undefined;
  const entered = facts.events.findLast((e) => e.type === 'StateEntered' && e.state?.name === node.name);
  return entered?.waitSeconds === undefined ? undefined : entered.timestamp + entered.waitSeconds * 1000;
}

/** One step's progress, from its runs and the flow's facts. */
function progressOf(node: FlowNode, facts: FlowFacts, forward: boolean, position: number): StepProgress {
  const index = facts.runs.findLastIndex((r) => r.name === node.name);
  const last = facts.runs[index];
  if (!last) {
    const passed = facts.ended || facts.compensating || (forward && position < facts.furthest);
    return { state: passed ? 'skipped' : 'pending', runs: 0, current: false };
  }
  let state = ownState(node, last);
  if (state === 'done' && forward && facts.compensating) state = 'compensated';
  if ((state === 'running' || state === 'waiting') && Object.hasOwn(HOLDS, node.name)) state = 'judging';
  const waitsUntil = waitEndOf(node, state, facts);
  return {
    state,
    runs: facts.runs.filter((r) => r.name === node.name).length,
    seconds: ((last.endedAt ?? facts.now) - last.startedAt) / 1000,
    current: index === facts.current,
    ...(last.error ? { error: last.error } : {}),
    ...(waitsUntil ? { waitsUntil } : {}),
  };
}

/**
 * Each drawn step's state from the execution's step events: done, running, waiting (a Wait, an approval, a
 * retry), judging (a hold: green looked at until it ends, `holds` saying how long), failed, compensated (done,
 * then undone by the compensation path), skipped (the flow went past it) or pending. The current step is the
 * last one entered that has not ended.
 */
export function flowProgress(
  shape: FlowShape,
  events: readonly StepEvent[],
  holds: HoldLengths,
  now = Date.now(),
): Map<string, StepProgress> {
  const runs = timelineOf(events);
  const ended = events.some((e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed');
  const entered = new Set(runs.map((r) => r.name));
  const facts: FlowFacts = {
    runs,
    events,
    now,
    holds,
    ended,
    compensating: shape.compensation.some((n) => entered.has(n.name)),
    current: ended ? -1 : runs.findLastIndex((r) => r.state === 'running' || r.state === 'waiting'),
    furthest: shape.forward.findLastIndex((n) => entered.has(n.name)),
  };
  const progress = new Map<string, StepProgress>();
  for (const [i, node] of shape.forward.entries()) progress.set(node.name, progressOf(node, facts, true, i));
  for (const [i, node] of shape.compensation.entries())
    progress.set(node.name, progressOf(node, facts, false, i));
  return progress;
}
