import type { Capacity } from '../config/service-config.js';

/**
 * Green is sized from blue's *current* desired capacity when that is larger than the configured one (blue may
 * have scaled out under load), never from the configured minimum. Blue's own capacity is never changed.
 */
export function greenCapacity(configured: Capacity, blueCurrent: Capacity | undefined): Capacity {
  const desired = Math.max(configured.desired, blueCurrent?.desired ?? 0);
  return { min: configured.min, desired, max: Math.max(configured.max, blueCurrent?.max ?? 0, desired) };
}
