import { setTimeout as sleep } from 'node:timers/promises';

/** How long the deliveries or boots a scenario started may take to end, with those they cause. */
export const SETTLE_LIMIT_MS = 120_000;

/**
 * Waits for every promise in `pending`, and those added meanwhile, to end; past `limitMs` it fails, saying how many
 * are still pending and what they are, instead of waiting as long as the test runner lets it.
 */
export async function settleAll(
  pending: ReadonlySet<Promise<unknown>>,
  what: string,
  limitMs = SETTLE_LIMIT_MS,
) {
  const deadline = Date.now() + limitMs;
  while (pending.size > 0) {
    const left = deadline - Date.now();
    const timer = new AbortController();
    const timedOut = sleep(Math.max(0, left), 'timed out', { signal: timer.signal }).catch(() => 'ended');
    const outcome = await Promise.race([Promise.all([...pending]).then(() => 'ended'), timedOut]);
    timer.abort();
    if (outcome === 'timed out')
      throw new Error(`${what}: ${pending.size} still pending after ${limitMs / 1000} s`);
  }
}
