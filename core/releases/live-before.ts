import type { DeploymentRecord } from '../deployment/deployment-record.js';
import { InvalidInput } from '../errors.js';
import type { ReleaseStore } from '../ports/release-store.js';

/** How far back a rollback may reach: the deployments `rollback` looks through for its target. */
export const ROLLBACK_LOOKBACK = 50;

/**
 * The deployment that made this version (with this image, when given) live in the service+environment, as the
 * release store recorded it (a deployment succeeds only by committing its release), or undefined: a "rollback"
 * to anything else is not a return to a release this environment served.
 */
export async function liveBefore(
  store: ReleaseStore,
  target: { service: string; environment: string; version: string; imageId?: string | undefined },
): Promise<DeploymentRecord | undefined> {
  const history = await store.listDeployments(target.service, target.environment, ROLLBACK_LOOKBACK);
  return history.find(
    (d) =>
      d.status === 'succeeded' &&
      d.version === target.version &&
      d.imageId !== undefined &&
      (target.imageId === undefined || d.imageId === target.imageId),
  );
}

/**
 * A rollback-labelled request passes freezes and windows, so the label is checked, not trusted: its version and
 * image must be a release the environment served before. Fails closed before anything is recorded or changed.
 */
export async function checkRollbackTarget(
  store: ReleaseStore,
  request: {
    trigger: string;
    service: string;
    environment: string;
    version: string;
    imageId?: string | undefined;
  },
): Promise<void> {
  if (request.trigger !== 'rollback') return;
  if (request.imageId && (await liveBefore(store, request))) return;
  throw new InvalidInput(
    `a rollback must return to a release ${request.service}/${request.environment} served before; the release store has none of version ${request.version} with image ${request.imageId ?? '(none given)'} among its last ${ROLLBACK_LOOKBACK} deployments there. Nothing was recorded or changed; deploy it as a new version instead`,
  );
}
