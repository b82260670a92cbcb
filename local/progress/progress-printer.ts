import { describeFailure } from '../../core/deployment/describe-failure.js';
import { POLLING_SIGNALS } from '../../core/errors.js';
import type { StepEvent } from '../../core/operations/operations.js';

/** A cause may say why over several lines (an instance's last output): all of them, within a bound. */
const CAUSE_LINES = 30;
const CAUSE_LINE_CHARS = 300;

function causeLines(step: string, event: StepEvent): string[] {
  const cause = describeFailure(step, { Error: event.Error ?? '', Cause: String(event.Cause ?? '') }).cause;
  return cause
    .split('\n')
    .slice(0, CAUSE_LINES)
    .map((line) => line.slice(0, CAUSE_LINE_CHARS));
}

/**
 * Turns an execution's events into progress lines: each step when it ends, with its time; a retried poll is
 * reported once, not on every retry; a failure names the step and its cause.
 */
export function progressLines(label: string, write: (line: string) => void) {
  const started = new Map<string, number>();
  const reportedWaiting = new Set<string>();
  const failed = new Set<string>();
  const on: Record<string, (event: StepEvent, state: { name: string; type: string }) => void> = {
    StateEntered: (event, state) => started.set(state.name, event.timestamp),
    StateRetried: (_, state) => {
      if (reportedWaiting.has(state.name)) return;
      reportedWaiting.add(state.name);
      write(`${label}  … ${state.name}: waiting`);
    },
    StateExited: (event, state) => {
      if (state.type === 'Choice' || failed.has(state.name)) return;
      const seconds = ((event.timestamp - (started.get(state.name) ?? event.timestamp)) / 1000).toFixed(1);
      write(`${label}  ✓ ${state.name} (${seconds}s)`);
    },
    StateFailed: (event, state) => {
      if (state.type === 'Fail' || !event.Error || POLLING_SIGNALS.has(event.Error)) return;
      failed.add(state.name);
      const cause = causeLines(state.name, event);
      write(`${label}  ✗ ${state.name}: ${event.Error}: ${cause.join(`\n${label}    `)}`);
    },
    ExecutionSucceeded: () => write(`${label}  deployed`),
    ExecutionFailed: (event) => write(`${label}  rolled back: ${String(event.Cause ?? event.Error)}`),
  };
  return (event: StepEvent) => on[event.type]?.(event, event.state ?? { name: '', type: '' });
}
