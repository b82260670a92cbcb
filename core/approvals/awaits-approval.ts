import type { DeploymentRecord } from '../deployment/deployment-record.js';

/**
 * Whether a deployment waits for a person: it asked for approval, nobody has decided yet, nothing shifted; or
 * a verdict in doubt waits for one (ADR 50).
 */
export function awaitsApproval(record: DeploymentRecord | null | undefined): boolean {
  if (record?.status !== 'in_progress') return false;
  if (record.inDoubt) return true;
  return !!record.phases.approval && !record.approvedBy && !record.phases.shift;
}
