import { type DecisionDeps, decideApproval } from '../approvals/decide-approval.js';
import { NotAllowed, NotFound, Refused } from '../errors.js';
import type { OperationInput } from './operation-inputs.js';
import type { OperationResults } from './operations.js';

/**
 * An operator approves or rejects a deployment's open approval request, exactly once (decideApproval); every
 * other outcome is a named refusal saying why nothing changed. `aliases` are other names the same authenticated
 * identity is listed by (e.g. the role of an assumed-role session).
 */
export async function decideDeployment(
  deps: DecisionDeps,
  input: OperationInput<'decide'>,
  aliases: string[] = [],
): Promise<OperationResults['decide']> {
  const ticket = await deps.store.approvalOf(input.deploymentId);
  if (!ticket) throw new NotFound(`deployment ${input.deploymentId} has no approval request`);
  const result = await decideApproval(deps, {
    approvalId: ticket.approvalId,
    approve: input.approve,
    by: input.by,
    ...(input.via ? { via: input.via } : {}),
    aliases,
  });
  switch (result.outcome) {
    case 'approved':
    case 'rejected':
      return { outcome: result.outcome };
    case 'not_an_approver':
      throw new NotAllowed(
        `${input.by} may not decide this deployment (approvers: ${result.approvers.join(', ')})`,
      );
    case 'already_decided':
    case 'expired':
      throw new Refused(
        `this approval is ${result.outcome === 'expired' ? 'past its deadline' : `already ${result.status}`}; nothing changed`,
      );
    case 'unknown_approval':
      throw new NotFound(`deployment ${input.deploymentId} has no approval request`);
  }
}
