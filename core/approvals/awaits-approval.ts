import type { DeploymentRecord } from '../deployment/deployment-record.js';

/** Whether a deployment waits for a person: it asked for approval, nobody has decided yet, nothing shifted. */
export function awaitsApproval(record: DeploymentRecord | null | undefined): boolean {
  return (
    !!record &&
    record.status === 'in_progress' &&
    !!record.phases.approval &&
    !record.approvedBy &&
    !record.phases.shift
  );
}
