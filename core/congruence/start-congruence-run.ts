import { deriveDeploymentId } from '../deployment/deployment-id.js';
import type { DeploymentStarter } from '../ports/deployment-starter.js';
import type { ImageCatalog } from '../ports/image-baker.js';
import type { Ports } from '../ports/index.js';
import { type DriftReport, summarizeDrift } from './drift-report.js';
import { inspectLiveFleet } from './inspect-live-fleet.js';

export type CongruenceRunOutcome =
  | { started: true; deploymentId: string; drift: DriftReport; announced: boolean }
  | { started: false; reason: string; drift?: DriftReport };

/**
 * A nightly "wipe and rebuild": reports how the live fleet drifted, then starts a `congruence` deployment that
 * rebuilds the live release from its artifact on today's base and replaces every instance through the normal
 * blue/green flow. With `replaceWhenUnchanged: false` a run whose bake would be identical starts nothing.
 * Shared by the local scheduler and the Lambda that EventBridge Scheduler invokes.
 */
export async function startCongruenceRun(
  deps: Pick<Ports, 'configs' | 'store' | 'fleets' | 'health' | 'notifier' | 'clock'> & {
    baker: ImageCatalog;
    starter: DeploymentStarter;
  },
  target: { service: string; environment: string },
): Promise<CongruenceRunOutcome> {
  const { service, environment } = target;
  const live = await deps.store.getLiveRelease(service, environment);
  if (!live?.artifact) return { started: false, reason: 'nothing live with an artifact to rebuild' };
  const { config } = await deps.configs.load(service);
  // The drift report looks at the fleet before the run replaces it.
  const drift = await inspectLiveFleet(deps, { ...live, artifact: live.artifact }, config.bake.baseImage);
  if (config.environments[environment]?.congruence?.replaceWhenUnchanged === false && drift.onNewestBase) {
    return { started: false, reason: 'unchanged (same artifact, base and recipe); not replacing', drift };
  }
  const requestedAt = deps.clock.now().toISOString();
  const deploymentId = deriveDeploymentId({
    service,
    environment,
    trigger: 'congruence',
    artifact: live.artifact,
    requestedAt,
  });
  await deps.starter.start({
    deploymentId,
    service,
    environment,
    trigger: 'congruence',
    version: live.version,
    artifact: live.artifact,
    requestedBy: 'schedule',
    requestedAt,
    drift,
  });
  // A failing notifier never stops a run: the report is kept with the run's record either way.
  const announced = await deps.notifier
    .notify({
      kind: 'congruence_report',
      deploymentId,
      service,
      environment,
      version: live.version,
      imageId: live.imageId,
      at: drift.at,
      detail: summarizeDrift(drift),
    })
    .then(
      () => true,
      () => false,
    );
  return { started: true, deploymentId, drift, announced };
}
