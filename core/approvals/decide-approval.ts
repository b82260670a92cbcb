import { ApprovalRejected } from '../errors.js';
import { type ApprovalChannel, approvalViewOf } from '../ports/approval-channel.js';
import type { Clock } from '../ports/clock.js';
import type { Notifier } from '../ports/notifier.js';
import type { ApprovalTicket, DeploymentUpdate, ReleaseStore } from '../ports/release-store.js';
import type { TaskCallbacks } from '../ports/task-callbacks.js';

export type DecisionOutcome =
  | { outcome: 'approved' | 'rejected'; ticket: ApprovalTicket }
  | { outcome: 'unknown_approval' }
  | { outcome: 'not_an_approver'; approvers: string[] }
  | { outcome: 'already_decided' | 'expired'; status: ApprovalTicket['status'] };

export interface DecisionDeps {
  store: ReleaseStore;
  callbacks: TaskCallbacks;
  approvals: ApprovalChannel;
  notifier: Notifier;
  clock: Clock;
}

/**
 * What an approval writes on the record: the approver before traffic; for a verdict in doubt, the doubt is
 * settled and who accepted it is kept among the warnings (ADR 50).
 */
function approvalUpdate(ticket: ApprovalTicket, request: { by: string; via?: string }): DeploymentUpdate {
  const via = request.via ? ` (${request.via})` : '';
  if (ticket.evidence)
    return {
      inDoubt: null,
      addWarnings: [`${ticket.evidence.step} was inconclusive; accepted by ${request.by}${via}`],
    };
  return { approvedBy: request.by, ...(request.via ? { approvedVia: request.via } : {}) };
}

/**
 * Applies a person's decision exactly once: only an allowed approver, only while the ticket is pending and
 * before it expires. The conditional write decides; the callback only follows it, so a lost callback is
 * recovered by the re-armed RequestApproval step, which reads the decision from the store.
 */
export async function decideApproval(
  deps: DecisionDeps,
  request: { approvalId: string; approve: boolean; by: string; via?: string; aliases?: string[] },
): Promise<DecisionOutcome> {
  const ticket = await deps.store.getApproval(request.approvalId);
  if (!ticket) return { outcome: 'unknown_approval' };
  // A person may be listed by any of their names (e.g. a Slack user id or handle).
  const identities = [request.by, ...(request.aliases ?? [])];
  if (!identities.some((id) => ticket.approvers.includes(id))) {
    return { outcome: 'not_an_approver', approvers: ticket.approvers };
  }
  if (ticket.status !== 'pending') return { outcome: 'already_decided', status: ticket.status };
  const now = deps.clock.now();
  if (now.getTime() >= Date.parse(ticket.expiresAt)) return { outcome: 'expired', status: ticket.status };

  const status = request.approve ? 'approved' : 'rejected';
  const decided = await deps.store.decideApproval(ticket.approvalId, {
    status,
    by: request.by,
    at: now.toISOString(),
  });
  if (!decided)
    return {
      outcome: 'already_decided',
      status: (await deps.store.getApproval(ticket.approvalId))?.status ?? 'pending',
    };

  try {
    if (request.approve) {
      await deps.callbacks.succeed(decided.taskToken, {
        approvedBy: request.by,
        decidedAt: decided.decidedAt,
      });
    } else {
      await deps.callbacks.fail(decided.taskToken, ApprovalRejected.errorName, `rejected by ${request.by}`);
    }
  } catch {
    // The wait was between re-arms; the next RequestApproval attempt finds the decision in the store.
  }
  // People see the outcome; a channel or notifier failure never undoes a decision.
  await Promise.allSettled([
    ...(request.approve
      ? [deps.store.updateDeployment(decided.deploymentId, approvalUpdate(decided, request))]
      : []),
    deps.approvals.showOutcome(approvalViewOf(decided)),
    deps.notifier.notify({
      kind: status,
      deploymentId: decided.deploymentId,
      service: decided.service,
      environment: decided.environment,
      version: decided.version,
      at: now.toISOString(),
      detail: `${status} by ${request.by}${request.via ? ` (${request.via})` : ''}`,
    }),
  ]);
  return { outcome: status, ticket: decided };
}
