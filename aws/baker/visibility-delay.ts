import type { Clock } from '../../core/ports/clock.js';

/** How long a just-created instance or image may stay invisible to Describe calls before it counts as gone. */
const VISIBILITY_DELAY_MS = 5 * 60 * 1000;

/**
 * EC2 is eventually consistent (EC2 API reference, "Eventual consistency"): right after RunInstances or
 * CreateImage, a Describe call may not see the new resource. Within this delay since `since`, unseen is pending.
 */
export function withinVisibilityDelay(clock: Clock, since: string | undefined): boolean {
  return since !== undefined && clock.now().getTime() - Date.parse(since) < VISIBILITY_DELAY_MS;
}
