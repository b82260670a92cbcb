import { POLLING_SIGNALS } from '../../core/errors.js';
import type { AslDefinition } from '../../statemachines/deploy-definition.js';
import { type Retrier, totalPollingSeconds } from '../../statemachines/retry-schedule.js';

/** Local retry intervals by state, one per retrier in ASL order (the local engine's overrides). */
export type LocalIntervals = Partial<Record<string, number | number[]>>;

/**
 * The definition local mode runs. Local mode polls sooner than AWS (its health checks run every second or two);
 * with the ASL's MaxAttempts alone, a shorter interval would give up sooner than on AWS (a 100 ms keep-warm poll
 * would end a 300 s window after 12.5 s). Each shortened polling retrier keeps polling for at least as long as
 * on AWS, so the handler's own limit (lock wait, health deadline, keep-warm window) ends the wait, as there.
 */
export function withLocalPolling(definition: AslDefinition, intervals: LocalIntervals): AslDefinition {
  const local = structuredClone(definition);
  for (const [stateName, override] of Object.entries(intervals)) {
    const retriers = (local.States[stateName]?.Retry ?? []) as Retrier[];
    retriers.forEach((retrier, index) => {
      const localMs = Array.isArray(override) ? override[index] : override;
      if (localMs === undefined || localMs <= 0 || !retrier.ErrorEquals.some((e) => POLLING_SIGNALS.has(e)))
        return;
      const awsMs = totalPollingSeconds(retrier) * 1000;
      retrier.MaxAttempts = Math.max(retrier.MaxAttempts ?? 3, Math.ceil(awsMs / localMs));
    });
  }
  return local;
}
