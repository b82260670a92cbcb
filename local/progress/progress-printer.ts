import { POLLING_SIGNALS } from '../../core/errors.js';
import type { StepEvent } from '../../core/operations/operations.js';

/**
 * Turns an execution's events into progress lines: each step when it ends, with its time; a retried poll is
 * reported once, not on every retry; a failure names the step and its cause.
 */
export function progressLines(label: string, write: (line: string) => void) {
  const started = new Map<string, number>();
  const reportedWaiting = new Set<string>();
  const failed = new Set<string>();
  return (event: StepEvent) => {
    const state = event.state ?? { name: '', type: '' };
    switch (event.type) {
      case 'StateEntered':
        started.set(state.name, event.timestamp);
        return;
      case 'StateRetried':
        if (!reportedWaiting.has(state.name)) {
          reportedWaiting.add(state.name);
          write(`${label}  … ${state.name}: waiting`);
        }
        return;
      case 'StateExited': {
        if (state.type === 'Choice' || failed.has(state.name)) return;
        const seconds = ((event.timestamp - (started.get(state.name) ?? event.timestamp)) / 1000).toFixed(1);
        write(`${label}  ✓ ${state.name} (${seconds}s)`);
        return;
      }
      case 'StateFailed':
        if (state.type === 'Fail') return;
        if (event.Error && !POLLING_SIGNALS.has(event.Error)) {
          failed.add(state.name);
          write(`${label}  ✗ ${state.name}: ${event.Error}: ${String(event.Cause ?? '').slice(0, 200)}`);
        }
        return;
      case 'ExecutionSucceeded':
        write(`${label}  deployed`);
        return;
      case 'ExecutionFailed':
        write(`${label}  rolled back: ${String(event.Cause ?? event.Error)}`);
        return;
      default:
        return;
    }
  };
}
