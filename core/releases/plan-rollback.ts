import { deriveDeploymentId } from '../deployment/deployment-id.js';
import type { DeploymentRecord, Release } from '../deployment/deployment-record.js';
import type { DeploymentRequest } from '../deployment/deployment-request.js';
import { Refused } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { ROLLBACK_LOOKBACK } from './live-before.js';

export type RollbackPlan =
  | { kind: 'traffic-shift'; deploymentId: string; version?: string }
  | { kind: 'redeploy'; request: DeploymentRequest; target: Pick<Release, 'version' | 'imageId'> };

/** Asks the deployment keeping blue warm to stop: traffic goes back to blue, whose version is named. */
async function rollBackWhileWarm(
  store: ReleaseStore,
  warming: DeploymentRecord,
  requestedBy: string,
): Promise<RollbackPlan> {
  await store.updateDeployment(warming.deploymentId, { rollbackRequestedBy: requestedBy });
  const version = warming.blue?.version ?? warming.previousRelease?.version;
  return { kind: 'traffic-shift', deploymentId: warming.deploymentId, ...(version ? { version } : {}) };
}

/**
 * How to roll back a service+environment. While a deployment keeps blue warm, rolling back is only moving traffic
 * back to blue (seconds, no fleet launched): the deployment is asked to stop. Later, it is a blue/green deployment
 * of the earlier release's retained image (no bake): the release before the live one, or the given version.
 */
export async function planRollback(
  deps: { store: ReleaseStore; clock: Clock },
  input: { service: string; environment: string; toVersion?: string; requestedBy: string },
): Promise<RollbackPlan> {
  const { store } = deps;
  const { service, environment, toVersion } = input;
  const history = await store.listDeployments(service, environment, ROLLBACK_LOOKBACK);
  const warming = history.find((d) => d.status === 'in_progress' && d.phases.warm && !d.phases.commit);
  if (warming && !toVersion) return rollBackWhileWarm(store, warming, input.requestedBy);
  const live = await store.getLiveRelease(service, environment);
  let target: Pick<Release, 'version' | 'imageId'> | undefined;
  if (toVersion) {
    const found = history.find(
      (d) =>
        d.status === 'succeeded' &&
        d.version === toVersion &&
        d.imageId &&
        d.deploymentId !== live?.deploymentId,
    );
    target = found?.imageId ? { version: found.version, imageId: found.imageId } : undefined;
  } else {
    const previous = live ? (await store.getDeployment(live.deploymentId))?.previousRelease : undefined;
    target = previous ? { version: previous.version, imageId: previous.imageId } : undefined;
  }
  if (!target) {
    throw new Refused(
      `${service}/${environment} has no earlier release${toVersion ? ` at ${toVersion}` : ''} to roll back to`,
    );
  }
  const requestedAt = deps.clock.now().toISOString();
  return {
    kind: 'redeploy',
    target,
    request: {
      deploymentId: deriveDeploymentId({
        service,
        environment,
        trigger: 'rollback',
        imageId: target.imageId,
        requestedAt,
      }),
      service,
      environment,
      trigger: 'rollback',
      version: target.version,
      imageId: target.imageId,
      requestedBy: input.requestedBy,
      requestedAt,
    },
  };
}
