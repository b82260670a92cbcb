import { environmentOf } from '../config/service-config.js';
import { deriveDeploymentId } from '../deployment/deployment-id.js';
import type { DeploymentRequest } from '../deployment/deployment-request.js';
import { describeHealth, isFullyHealthy } from '../deployment/fleet-health.js';
import { Refused } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Health } from '../ports/health.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';

/**
 * Promotion deploys exactly the image that is live in the source environment (same image id, no bake) into the
 * target environment, with the target's own capacity, variables and approval policy. Refused, with the reason,
 * unless the source has a live release whose fleet is fully healthy.
 */
export async function planPromotion(
  deps: { store: ReleaseStore; health: Health; configs: ServiceConfigs; clock: Clock },
  input: { service: string; from: string; to: string; requestedBy: string },
): Promise<DeploymentRequest> {
  const { service, from, to } = input;
  if (from === to) throw new Refused(`promote ${service}: --from and --to are both ${from}`);
  const { config, source } = await deps.configs.load(service);
  environmentOf(config, to, source);
  const live = await deps.store.getLiveRelease(service, from);
  if (!live) throw new Refused(`${service}/${from} has no live release to promote`);
  const health = await deps.health.check({ service, environment: from, fleetId: live.fleetId });
  if (!isFullyHealthy(health, live.capacity.desired)) {
    throw new Refused(
      `${service}/${from} ${live.version} is not healthy (${describeHealth(health, live.capacity.desired)}); not promoting it`,
    );
  }
  const requestedAt = deps.clock.now().toISOString();
  const changeRequestedAt = await changeRequestedAtOf(deps.store, live.deploymentId);
  return {
    deploymentId: deriveDeploymentId({
      service,
      environment: to,
      trigger: 'promote',
      imageId: live.imageId,
      requestedAt,
    }),
    service,
    environment: to,
    trigger: 'promote',
    version: live.version,
    imageId: live.imageId,
    requestedBy: input.requestedBy,
    requestedAt,
    ...(changeRequestedAt ? { changeRequestedAt } : {}),
  };
}

/**
 * When the change a promotion carries on entered the pipeline: what the deployment that made it live carried, or
 * that deployment's own request when it took the artifact in; unknown after a rollback or congruence run.
 */
async function changeRequestedAtOf(store: ReleaseStore, deploymentId: string): Promise<string | undefined> {
  const origin = await store.getDeployment(deploymentId);
  if (!origin) return undefined;
  if (origin.changeRequestedAt) return origin.changeRequestedAt;
  return ['artifact', 'manual'].includes(origin.trigger) ? origin.requestedAt : undefined;
}
