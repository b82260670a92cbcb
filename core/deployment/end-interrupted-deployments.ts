import type { Clock } from '../ports/clock.js';
import type { ImageCatalog } from '../ports/image-baker.js';
import type { ReleaseStore } from '../ports/release-store.js';
import { type DeploymentRecord, TERMINAL_STATUSES } from './deployment-record.js';

export interface InterruptionDeps {
  store: ReleaseStore;
  baker: Pick<ImageCatalog, 'listImages' | 'discardImage'>;
  clock: Clock;
  /** Whether an execution of this deployment still runs (after a restart, none does). */
  isRunning(deploymentId: string): boolean;
}

/** The step a record last entered: its latest phase. */
const lastStepOf = (record: DeploymentRecord) =>
  Object.entries(record.phases).sort(([, a], [, b]) => (b ?? '').localeCompare(a ?? ''))[0]?.[0] ?? 'unknown';

/** Compensates one deployment whose orchestrator stopped before its commit point: blue serves again. */
async function compensate(deps: InterruptionDeps, record: DeploymentRecord) {
  const { service, environment, deploymentId } = record;
  const step = lastStepOf(record);
  await deps.store.revertRelease(service, environment, deploymentId, record.previousRelease);
  const live = new Set((await deps.store.listLiveReleases(service)).map((r) => r.imageId));
  for (const image of await deps.baker.listImages(service)) {
    if (image.createdByDeployment === deploymentId && !live.has(image.imageId))
      await deps.baker.discardImage(image.imageId);
  }
  await deps.store.updateDeployment(deploymentId, {
    status: 'rolled_back',
    finishedAt: deps.clock.now().toISOString(),
    failure: {
      step,
      error: 'ControlPlaneRestarted',
      cause: `the control plane stopped during ${step}; the previous release serves`,
    },
  });
  await deps.store.releaseLock(service, environment, deploymentId);
}

/**
 * After the orchestrator stopped (a crash, a restart): every deployment of a service+environment that no
 * execution runs any more is ended. Before its commit point it is compensated; after it, it succeeded, and only
 * its lock is released, with a warning that its leftovers are the janitor's.
 */
export async function endInterruptedDeployments(
  deps: InterruptionDeps,
  service: string,
  environment: string,
): Promise<string[]> {
  const notEnded = (d: DeploymentRecord) =>
    !TERMINAL_STATUSES.includes(d.status) && !deps.isRunning(d.deploymentId);
  const interrupted = (await deps.store.listDeployments(service, environment, 25)).filter(notEnded);
  // The holder can be older than the newest records (an approval waited while later requests piled up).
  const lockHolder = await deps.store.lockHolder(service, environment);
  const held =
    lockHolder && !interrupted.some((d) => d.deploymentId === lockHolder)
      ? await deps.store.getDeployment(lockHolder)
      : undefined;
  if (held && notEnded(held)) interrupted.push(held);
  for (const record of interrupted) await compensate(deps, record);
  const holder = await deps.store.lockHolder(service, environment);
  if (holder && !deps.isRunning(holder)) {
    await deps.store
      .updateDeployment(holder, {
        addWarnings: [
          'cleanup: the control plane stopped after the commit point; leftovers are for the janitor',
        ],
      })
      .catch(() => undefined);
    await deps.store.releaseLock(service, environment, holder);
  }
  return interrupted.map((d) => d.deploymentId);
}
