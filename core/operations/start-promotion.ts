import { checkFreezes } from '../freezes/freeze-operations.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentStarter } from '../ports/deployment-starter.js';
import type { Health } from '../ports/health.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import { planPromotion } from '../releases/plan-promotion.js';
import type { OperationInput } from './operation-inputs.js';
import type { OperationResults } from './operations.js';

/** Promotes the image live in one environment, unchanged, to the next (no bake). */
export async function startPromotion(
  deps: {
    store: ReleaseStore;
    health: Health;
    configs: ServiceConfigs;
    clock: Clock;
    starter: DeploymentStarter;
  },
  input: OperationInput<'promote'>,
): Promise<OperationResults['promote']> {
  const request = await planPromotion(deps, input);
  // Refused at once during a freeze, as deploy and rollback are (PrepareDeployment asks again).
  await checkFreezes(deps.store, request, deps.clock.now());
  await deps.starter.start(request);
  return { deploymentId: request.deploymentId, version: request.version, imageId: request.imageId ?? '' };
}
