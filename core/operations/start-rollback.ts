import { checkFreezes } from '../freezes/freeze-operations.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentStarter } from '../ports/deployment-starter.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { planRollback } from '../releases/plan-rollback.js';
import type { OperationInput } from './operation-inputs.js';
import type { OperationResults } from './operations.js';

/** Rolls back: traffic back to a warm blue at once, or a blue/green deployment of an earlier image. */
export async function startRollback(
  deps: { store: ReleaseStore; clock: Clock; starter: DeploymentStarter },
  input: OperationInput<'rollback'>,
): Promise<OperationResults['rollback']> {
  const plan = await planRollback(deps, input);
  if (plan.kind === 'traffic-shift') return plan;
  // Refused at once during a freeze unless it returns to a release served before (PrepareDeployment asks again).
  await checkFreezes(deps.store, plan.request, deps.clock.now());
  await deps.starter.start(plan.request);
  return { kind: 'redeploy', deploymentId: plan.request.deploymentId, ...plan.target };
}
