import { systemClock } from '../../../core/ports/clock.js';
import { createOperatorDecision } from '../../../functions/operator-decision.js';
import { iamCallerOf } from '../../operations/iam-caller.js';
import { awsApprovals, awsNotifier } from '../announcement-ports.js';
import { awsCallbacks, awsConfigs, awsStore } from '../aws-ports.js';

export const handler = createOperatorDecision({
  store: awsStore(),
  callbacks: awsCallbacks(),
  approvals: awsApprovals(),
  configs: awsConfigs(),
  notifier: awsNotifier(awsConfigs()),
  clock: systemClock,
  callerOf: iamCallerOf,
});
