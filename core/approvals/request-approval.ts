import { randomBytes } from 'node:crypto';
import type { Plan } from '../deployment/deployment-plan.js';
import { deploymentRef, notifyQuietly } from '../deployment/notify-quietly.js';
import { ApprovalRejected, ApprovalTimedOut, InvalidInput } from '../errors.js';
import { type ApprovalChannel, approvalViewOf } from '../ports/approval-channel.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { Notifier } from '../ports/notifier.js';
import type { ApprovalEvidence, ApprovalTicket, ReleaseStore } from '../ports/release-store.js';
import type { TaskCallbacks } from '../ports/task-callbacks.js';

export interface ApprovalDeps {
  store: ReleaseStore;
  approvals: ApprovalChannel;
  notifier: Notifier;
  callbacks: TaskCallbacks;
  clock: Clock;
}

export interface ApprovalRequest {
  plan: Plan;
  green: { imageId: string; capacity: { desired: number }; previewUrl?: string | undefined };
  requestedBy: string;
  /** The waiting Task's token: each re-arm of the wait brings a new one. */
  taskToken: string;
  /** Set for a verdict in doubt (`onInconclusive: approval`, ADR 50): the gate after that step, not before traffic. */
  evidence?: ApprovalEvidence | undefined;
}

/** A new ticket; its opaque id is all a button carries. */
function ticketFor(
  request: ApprovalRequest,
  policy: { approvers: string[]; timeoutSeconds: number },
  now: Date,
): ApprovalTicket {
  const { plan, green } = request;
  return {
    approvalId: randomBytes(16).toString('base64url'),
    deploymentId: plan.deploymentId,
    service: plan.service,
    environment: plan.environment,
    version: plan.version,
    approvers: policy.approvers,
    context: {
      imageId: green.imageId,
      trigger: plan.trigger,
      requestedBy: request.requestedBy,
      desiredCapacity: green.capacity.desired,
      ...(plan.blue ? { liveVersion: plan.blue.version } : {}),
      ...(green.previewUrl ? { previewUrl: green.previewUrl } : {}),
      ...(plan.settings.slackChannel ? { channel: plan.settings.slackChannel } : {}),
    },
    ...(request.evidence ? { gate: 'inconclusive' as const, evidence: request.evidence } : {}),
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + policy.timeoutSeconds * 1000).toISOString(),
    taskToken: request.taskToken,
    status: 'pending',
  };
}

/** Asks the approvers about a ticket just opened, and says so. */
async function askApprovers(deps: ApprovalDeps, request: ApprovalRequest, opened: ApprovalTicket, log: Log) {
  log.info('approval requested', {
    approvalId: opened.approvalId,
    approvers: opened.approvers,
    ...(opened.evidence ? { inDoubt: opened.evidence } : {}),
  });
  if (opened.evidence) {
    const { step, reason } = opened.evidence;
    await deps.store.updateDeployment(opened.deploymentId, {
      inDoubt: { step, reason, since: opened.requestedAt },
    });
  }
  const message = await deps.approvals.ask(approvalViewOf(opened));
  if (message) {
    await deps.store.attachApprovalMessage(opened.approvalId, message);
    // A click between the post and this write found no message to update: show its outcome now.
    const decided = await deps.store.getApproval(opened.approvalId);
    if (decided && decided.status !== 'pending')
      await deps.approvals.showOutcome(approvalViewOf({ ...decided, message }));
  }
  await notifyQuietly(
    deps.notifier,
    {
      kind: 'approval_requested',
      ...deploymentRef(request.plan),
      imageId: request.green.imageId,
      at: opened.requestedAt,
      detail: `${opened.evidence ? `${opened.evidence.step} ${opened.evidence.reason}; ` : ''}approvers: ${opened.approvers.join(', ')}`,
    },
    log,
  );
}

/** An open ticket on a re-armed wait: expired past its deadline, else pointed at the new token. */
async function rearm(
  deps: ApprovalDeps,
  ticket: ApprovalTicket,
  taskToken: string,
  now: Date,
): Promise<ApprovalTicket> {
  if (ticket.status !== 'pending') return ticket;
  if (now.getTime() < Date.parse(ticket.expiresAt))
    return deps.store.rearmApproval(ticket.approvalId, taskToken);
  const expired =
    (await deps.store.decideApproval(ticket.approvalId, {
      status: 'expired',
      by: 'timeout',
      at: now.toISOString(),
    })) ?? ticket;
  await deps.approvals.showOutcome(approvalViewOf(expired));
  return expired;
}

/**
 * The approval gate. The first call opens a ticket and asks people. Each re-arm of the wait lands here again
 * with a new token: a decision already taken is applied, an expired ticket ends in ApprovalTimedOut, otherwise
 * the ticket is pointed at the new token and the wait goes on.
 */
export async function requestApproval(deps: ApprovalDeps, request: ApprovalRequest, log: Log): Promise<void> {
  const policy = request.evidence ? request.plan.settings.analysis?.approval : request.plan.settings.approval;
  if (!policy)
    throw new InvalidInput(
      `RequestApproval input: ${request.evidence ? 'plan.settings.analysis.approval' : 'plan.settings.approval'} is not set`,
    );
  const now = deps.clock.now();
  const fresh = ticketFor(request, policy, now);
  const opened = await deps.store.openApproval(fresh);
  if (opened.approvalId === fresh.approvalId) return askApprovers(deps, request, opened, log);

  const ticket = await rearm(deps, opened, request.taskToken, now);
  switch (ticket.status) {
    case 'pending':
      return;
    case 'approved':
      await deps.callbacks.succeed(request.taskToken, {
        approvedBy: ticket.decidedBy,
        decidedAt: ticket.decidedAt,
      });
      return;
    case 'rejected':
      throw new ApprovalRejected(`rejected by ${ticket.decidedBy}`);
    case 'expired':
      throw new ApprovalTimedOut(`no decision within ${policy.timeoutSeconds}s`);
  }
}
