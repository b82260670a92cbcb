import { systemClock } from '../../../core/ports/clock.js';
import { createRequestApproval } from '../../../functions/request-approval.js';
import { awsApprovals, awsNotifier } from '../announcement-ports.js';
import { awsCallbacks, awsConfigs, awsStore } from '../aws-ports.js';

export const handler = createRequestApproval({
  store: awsStore(),
  approvals: awsApprovals(),
  notifier: awsNotifier(awsConfigs()),
  callbacks: awsCallbacks(),
  clock: systemClock,
});
