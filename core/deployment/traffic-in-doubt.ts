import type { DeploymentRecord } from './deployment-record.js';

/** How the warning that says a deployment left its routing in doubt begins (AnnounceOutcome writes it). */
export const TRAFFIC_IN_DOUBT = 'traffic in doubt';

/**
 * Whether a deployment's record leaves the routing of its environment in doubt: it never got past compensating
 * (RecordRollback failed for good, so it cannot say where traffic was left), or RestoreTraffic failed for good.
 * `status` shows such an environment as in doubt until a later deployment settles it.
 */
export const leavesTrafficInDoubt = (record: DeploymentRecord) =>
  record.status === 'compensating' ||
  record.warnings.some((w) => w.includes('RestoreTraffic') || w.startsWith(TRAFFIC_IN_DOUBT));

/** Both steps that would put routing back and say so failed for good: the listener may be split, unrecorded. */
export const restoreAndRecordFailed = (compensationWarnings: Record<string, unknown> | undefined) =>
  compensationWarnings?.RestoreTraffic !== undefined && compensationWarnings?.RecordRollback !== undefined;
