import { POLLING_SIGNALS } from '../../../core/errors.js';
import type { StepEvent } from '../../../core/operations/operations.js';

export interface TimelineStep {
  name: string;
  state: 'running' | 'waiting' | 'done' | 'failed';
  startedAt: number;
  endedAt?: number;
  error?: string;
}

/** What an event does to the step it is about (undefined: nothing shown changes). */
function applied(event: StepEvent, step: TimelineStep): Partial<TimelineStep> | undefined {
  switch (event.type) {
    case 'StateRetried':
      return { state: 'waiting' };
    case 'StateExited':
      return { state: 'done', endedAt: event.timestamp };
    case 'StateFailed':
      if (POLLING_SIGNALS.has(event.Error ?? '') || step.name === '') return undefined;
      return {
        state: 'failed',
        endedAt: event.timestamp,
        error: `${event.Error}: ${String(event.Cause ?? '')}`,
      };
    default:
      return undefined;
  }
}

/** The steps of an execution from its step events (the ones the CLI's progress lines are made of), in order. */
export function timelineOf(events: readonly StepEvent[]): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const open = new Map<string, TimelineStep>();
  for (const event of events) {
    const { name = '', type = '' } = event.state ?? {};
    if (['Choice', 'Pass', 'Fail', 'Succeed'].includes(type)) continue;
    if (event.type === 'StateEntered') {
      const entered: TimelineStep = { name, state: 'running', startedAt: event.timestamp };
      steps.push(entered);
      open.set(name, entered);
      continue;
    }
    const step = open.get(name);
    const change = step && applied(event, step);
    if (!step || !change) continue;
    Object.assign(step, change);
    if (change.endedAt !== undefined) open.delete(name);
  }
  return steps;
}
