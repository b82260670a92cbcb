import * as z from 'zod';
import { requestApproval } from '../core/approvals/request-approval.js';
import { InvalidInput } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import type { ApprovalEvidence } from '../core/ports/release-store.js';
import { defineTask } from './commons/define-task.js';
import { callbackPayload, WithGreen } from './commons/flow-state.js';

const Input = callbackPayload(WithGreen.extend({ requestedBy: z.string() })).extend({
  /** Set at the gates after a step whose verdict was inconclusive (ADR 50); absent before traffic. */
  gate: z.literal('inconclusive').optional(),
});

/** The verdict in doubt: the last one the step just kept, which the record holds with its numbers. */
async function evidenceOf(ports: Pick<Ports, 'store'>, deploymentId: string): Promise<ApprovalEvidence> {
  const record = await ports.store.getDeployment(deploymentId);
  const verdict = record?.analysis?.at(-1);
  if (verdict?.outcome !== 'inconclusive')
    throw new InvalidInput(`RequestApproval: deployment ${deploymentId}'s last verdict is not inconclusive`);
  const { step, reason, statistics } = verdict;
  return { step, reason, ...(statistics ? { statistics } : {}) };
}

/**
 * The approval gates (a callback): before traffic, and after a verdict in doubt, with the verdict as evidence.
 * Opens a ticket and asks, or follows it on each re-arm of the wait.
 */
export const createRequestApproval = (
  ports: Pick<Ports, 'store' | 'approvals' | 'notifier' | 'callbacks' | 'clock'>,
) =>
  defineTask(
    { name: 'RequestApproval', input: Input, deploymentIdOf: (i) => i.state.deploymentId },
    async ({ state, taskToken, gate }, { log }) => {
      // The approval phase is the gate before traffic; a doubt's gate belongs to its step's hold.
      if (!gate)
        await ports.store.updateDeployment(state.deploymentId, {
          phases: { approval: ports.clock.now().toISOString() },
        });
      const evidence = gate ? await evidenceOf(ports, state.deploymentId) : undefined;
      return requestApproval(
        ports,
        { plan: state.plan, green: state.green, requestedBy: state.requestedBy, taskToken, evidence },
        log,
      );
    },
  );
