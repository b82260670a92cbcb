import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { ApprovalRejected, ApprovalTimedOut, InvalidInput } from '../core/errors.js';
import { approvalViewOf } from '../core/ports/approval-channel.js';
import type { Ports } from '../core/ports/index.js';
import type { ApprovalTicket } from '../core/ports/release-store.js';
import { defineTask } from './commons/define-task.js';
import { callbackPayload, WithGreen } from './commons/flow-state.js';
import { deploymentRef, notifyQuietly } from './commons/notify-quietly.js';

const Input = callbackPayload(WithGreen.extend({ requestedBy: z.string() }));

/**
 * The approval gate (a callback). The first call opens a ticket, whose opaque id is all a button carries, and
 * asks people. Each re-arm of the wait lands here again with a new token: a decision already taken is applied,
 * an expired ticket ends in ApprovalTimedOut, otherwise the ticket is pointed at the new token.
 */
export const createRequestApproval = (
  ports: Pick<Ports, 'store' | 'approvals' | 'notifier' | 'callbacks' | 'clock'>,
) =>
  defineTask(
    {
      name: 'RequestApproval',
      input: Input,
      deploymentIdOf: (i) => i.state.deploymentId,
      phase: { phase: 'approval', store: ports.store, clock: ports.clock },
    },
    async ({ state, taskToken }, { log }) => {
      const { plan, green } = state;
      const policy = plan.settings.approval;
      if (!policy) throw new InvalidInput('RequestApproval input: plan.settings.approval is not set');
      const now = ports.clock.now();
      const fresh: ApprovalTicket = {
        approvalId: randomBytes(16).toString('base64url'),
        deploymentId: plan.deploymentId,
        service: plan.service,
        environment: plan.environment,
        version: plan.version,
        approvers: policy.approvers,
        context: {
          imageId: green.imageId,
          trigger: plan.trigger,
          requestedBy: state.requestedBy,
          desiredCapacity: green.capacity.desired,
          ...(plan.blue ? { liveVersion: plan.blue.version } : {}),
          ...(green.previewUrl ? { previewUrl: green.previewUrl } : {}),
          ...(plan.settings.slackChannel ? { channel: plan.settings.slackChannel } : {}),
        },
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + policy.timeoutSeconds * 1000).toISOString(),
        taskToken,
        status: 'pending',
      };
      const opened = await ports.store.openApproval(fresh);
      if (opened.approvalId === fresh.approvalId) {
        log.info('approval requested', { approvalId: opened.approvalId, approvers: policy.approvers });
        const message = await ports.approvals.ask(approvalViewOf(opened));
        if (message) {
          await ports.store.attachApprovalMessage(opened.approvalId, message);
          // A click between the post and this write found no message to update: show its outcome now.
          const decided = await ports.store.getApproval(opened.approvalId);
          if (decided && decided.status !== 'pending')
            await ports.approvals.showOutcome(approvalViewOf({ ...decided, message }));
        }
        await notifyQuietly(
          ports.notifier,
          {
            kind: 'approval_requested',
            ...deploymentRef(plan),
            imageId: green.imageId,
            at: now.toISOString(),
            detail: `approvers: ${policy.approvers.join(', ')}`,
          },
          log,
        );
        return;
      }

      let ticket = opened;
      if (ticket.status === 'pending' && now.getTime() >= Date.parse(ticket.expiresAt)) {
        ticket =
          (await ports.store.decideApproval(ticket.approvalId, {
            status: 'expired',
            by: 'timeout',
            at: now.toISOString(),
          })) ?? ticket;
        await ports.approvals.showOutcome(approvalViewOf(ticket));
      } else if (ticket.status === 'pending') {
        ticket = await ports.store.rearmApproval(ticket.approvalId, taskToken);
      }
      switch (ticket.status) {
        case 'pending':
          return;
        case 'approved':
          await ports.callbacks.succeed(taskToken, {
            approvedBy: ticket.decidedBy,
            decidedAt: ticket.decidedAt,
          });
          return;
        case 'rejected':
          throw new ApprovalRejected(`rejected by ${ticket.decidedBy}`);
        case 'expired':
          throw new ApprovalTimedOut(`no decision within ${policy.timeoutSeconds}s`);
      }
    },
  );
