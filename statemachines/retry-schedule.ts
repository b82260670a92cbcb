import { POLLING_SIGNALS } from '../core/errors.js';
import type { AslDefinition } from './deploy-definition.js';

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

/** A state's polling retrier: the Retry whose errors are polling signals (LockHeld, HealthPending, StillWarm). */
export function pollingRetrierOf(definition: AslDefinition, stateName: string): Retrier | undefined {
  const retry = (definition.States[stateName]?.Retry ?? []) as Retrier[];
  return retry.find((r) => r.ErrorEquals.some((e) => POLLING_SIGNALS.has(e)));
}

/**
 * The seconds Step Functions waits before retry number `attempt` (1-based), as the Step Functions developer
 * guide defines it: IntervalSeconds × BackoffRate^(attempt−1), capped at MaxDelaySeconds (no jitter).
 */
export function waitBeforeRetry(retrier: Retrier, attempt: number): number {
  const interval = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1);
  return Math.min(interval, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
}

/** How long a retrier keeps polling before it gives up: the sum of every wait it makes. */
export function totalPollingSeconds(retrier: Retrier): number {
  let total = 0;
  for (let attempt = 1; attempt <= (retrier.MaxAttempts ?? 3); attempt++)
    total += waitBeforeRetry(retrier, attempt);
  return total;
}
