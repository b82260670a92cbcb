import type { ReleaseStore } from '../../core/ports/release-store.js';

/**
 * When green first took traffic: the first step's own time, else when the shift phase began (the record
 * keeps the first attempt's time).
 */
export async function firstShiftOf(
  store: ReleaseStore,
  deploymentId: string,
  shift: { stepIndex: number; at: string },
): Promise<Date> {
  if (shift.stepIndex === 0) return new Date(shift.at);
  const record = await store.getDeployment(deploymentId);
  return new Date(record?.phases.shift ?? shift.at);
}
