import { systemClock } from '../../../core/ports/clock.js';
import { createRecordRollback } from '../../../functions/record-rollback.js';
import { awsApprovals } from '../announcement-ports.js';
import { awsStore } from '../aws-ports.js';

export const handler = createRecordRollback({
  store: awsStore(),
  approvals: awsApprovals(),
  clock: systemClock,
});
