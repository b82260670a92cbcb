import { awaitsApproval } from '../approvals/awaits-approval.js';
import { type DeploymentRecord, TERMINAL_STATUSES } from '../deployment/deployment-record.js';
import { leavesTrafficInDoubt } from '../deployment/traffic-in-doubt.js';
import type { FleetWeight } from '../deployment/traffic-plan.js';
import { ConfigInvalid } from '../errors.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import type { OperationResults, ServiceStatus } from './operations.js';

/** Where a target serves a service+environment, and how many instances its live fleet runs. */
export interface ServingView {
  endpoints(
    service: string,
    environment: string,
  ): Promise<{ url: string | null; previewUrl: string } | undefined>;
  instanceCount(fleetId: string): Promise<number>;
  traffic(service: string, environment: string): Promise<FleetWeight[]>;
  congruenceSchedules(): OperationResults['status']['congruence'];
}

/** The configured services, listed (a directory of files locally, parameters on AWS). */
export type ListedServiceConfigs = ServiceConfigs & { services(): Promise<string[]> };

/** Every configured service × environment: its live release, lock, deployments in flight and endpoints. */
export async function readStatus(deps: {
  configs: ListedServiceConfigs;
  store: ReleaseStore;
  serving: ServingView;
}): Promise<OperationResults['status']> {
  const services: ServiceStatus[] = [];
  const invalidConfigs: OperationResults['status']['invalidConfigs'] = [];
  for (const service of await deps.configs.services()) {
    const loaded = await deps.configs.load(service).catch((error: Error) => {
      // One mistyped file breaks its own service only.
      if (error.name !== ConfigInvalid.errorName) throw error;
      invalidConfigs.push({ service, error: error.message });
      return undefined;
    });
    for (const environment of Object.keys(loaded?.config.environments ?? {})) {
      services.push(await statusOf(deps, service, environment));
    }
  }
  return { services, invalidConfigs, congruence: deps.serving.congruenceSchedules() };
}

/** Each read looks further back, until the newest success or the first deployment: at most these many. */
const LOOKBACK = [10, 100, 1_000, 10_000] as const;

/**
 * The deployments since the newest that succeeded (all of them if none did): until a deployment succeeds (and
 * so sets the listener), one that left routing in doubt keeps it so, however many came after it (a later one
 * rolled back restores what it found, the doubtful split). Read further back only while no success is found.
 */
async function sinceLastSuccess(
  store: ReleaseStore,
  service: string,
  environment: string,
  newest: DeploymentRecord[],
): Promise<DeploymentRecord[]> {
  const untilSuccess = (records: DeploymentRecord[]) => {
    const settled = records.findIndex((d) => d.status === 'succeeded');
    return settled < 0 ? undefined : records.slice(0, settled);
  };
  let read = newest;
  for (const [step, limit] of LOOKBACK.entries()) {
    const found = untilSuccess(read);
    // A success found, or fewer records than asked for: the whole history since (or ever) has been read.
    if (found || read.length < limit) return found ?? read;
    const further = LOOKBACK[step + 1];
    if (further) read = await store.listDeployments(service, environment, further);
  }
  return read;
}

async function statusOf(
  deps: { store: ReleaseStore; serving: ServingView },
  service: string,
  environment: string,
): Promise<ServiceStatus> {
  const live = await deps.store.getLiveRelease(service, environment);
  const recent = await deps.store.listDeployments(service, environment, 10);
  const inFlight = recent.filter((d) => !TERMINAL_STATUSES.includes(d.status));
  const doubtful = (await sinceLastSuccess(deps.store, service, environment, recent)).find(
    leavesTrafficInDoubt,
  );
  const endpoints = await deps.serving.endpoints(service, environment);
  const traffic = await deps.serving.traffic(service, environment);
  // "Live" is what takes the traffic: a green that has all of it (blue kept warm until the commit) is live.
  const takingAll = inFlight.find((d) =>
    traffic.some((w) => w.fleetId === d.greenFleetId && w.percent >= 100),
  );
  const serving = takingAll
    ? {
        version: takingAll.version,
        imageId: takingAll.imageId ?? '',
        fleetId: takingAll.greenFleetId,
        since: takingAll.phases.shift ?? takingAll.requestedAt,
      }
    : live && { version: live.version, imageId: live.imageId, fleetId: live.fleetId, since: live.liveSince };
  return {
    service,
    environment,
    live: serving ?? null,
    keptWarm: takingAll && live ? { version: live.version, fleetId: live.fleetId } : null,
    lock: (await deps.store.lockHolder(service, environment)) ?? null,
    inFlight: inFlight.map((d) => ({
      deploymentId: d.deploymentId,
      version: d.version,
      status: d.status,
      awaitingApproval: awaitsApproval(d),
      ...(d.inDoubt ? { inDoubt: { step: d.inDoubt.step, reason: d.inDoubt.reason } } : {}),
    })),
    url: endpoints?.url ?? null,
    previewUrl: endpoints?.previewUrl ?? null,
    instances: serving ? await deps.serving.instanceCount(serving.fleetId) : 0,
    traffic,
    trafficInDoubt: doubtful ? { deploymentId: doubtful.deploymentId, status: doubtful.status } : null,
  };
}
