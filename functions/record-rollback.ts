import * as z from 'zod';
import { describeFailure, summarizeFailure } from '../core/deployment/describe-failure.js';
import { unrecordedWarnings } from '../core/deployment/once-per-deployment.js';
import { approvalViewOf } from '../core/ports/approval-channel.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { CaughtError } from './commons/flow-state.js';
import { LockOwner } from './release-lock.js';

const Input = LockOwner.extend({
  failure: z.object({ outcome: z.enum(['rolled_back', 'superseded']) }).optional(),
  compensationWarnings: z.record(z.string(), CaughtError).optional(),
});

/** Records the end of a compensated deployment and closes its approval, so a late click changes nothing. */
export const createRecordRollback = (ports: Pick<Ports, 'store' | 'approvals' | 'clock'>) =>
  defineTask(
    { name: 'RecordRollback', input: Input, deploymentIdOf: (i) => i.deploymentId },
    async ({ deploymentId, failure, compensationWarnings }, { log }) => {
      const now = ports.clock.now().toISOString();
      const ticket = await ports.store.approvalOf(deploymentId);
      if (ticket?.status === 'pending') {
        const closed = await ports.store.decideApproval(ticket.approvalId, {
          status: 'expired',
          by: 'rollback',
          at: now,
        });
        if (closed) await ports.approvals.showOutcome(approvalViewOf(closed));
      }
      const warnings = Object.entries(compensationWarnings ?? {}).map(
        ([step, caught]) => `compensation: ${summarizeFailure(describeFailure(step, caught))}`,
      );
      const status = failure?.outcome ?? 'rolled_back';
      const record = await ports.store.getDeployment(deploymentId);
      await ports.store.updateDeployment(deploymentId, {
        status,
        finishedAt: now,
        addWarnings: unrecordedWarnings(record, warnings),
      });
      log.info('deployment ended', { status, warnings });
      return { status };
    },
  );
