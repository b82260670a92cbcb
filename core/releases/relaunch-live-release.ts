import { environmentOf, type ServiceConfig } from '../config/service-config.js';
import type { Release } from '../deployment/deployment-record.js';
import type { Ports } from '../ports/index.js';

/**
 * After the local control plane restarts, its processes are gone: the live release's fleet is launched again from
 * its image, as recorded, and takes all of its listener's traffic. Without a live release, or its image, nothing
 * is launched (undefined).
 */
export async function relaunchLiveRelease(
  ports: Pick<Ports, 'store' | 'baker' | 'fleets' | 'traffic'>,
  loaded: { config: ServiceConfig; source: string },
  service: string,
  environment: string,
): Promise<Release | undefined> {
  const live = await ports.store.getLiveRelease(service, environment);
  if (!live) return undefined;
  const env = environmentOf(loaded.config, environment, loaded.source);
  const image = await ports.baker.getImage(live.imageId);
  if (!image) return undefined;
  await ports.fleets.launch({
    fleetId: live.fleetId,
    service,
    environment,
    deploymentId: live.deploymentId,
    version: live.version,
    imageId: live.imageId,
    capacity: live.capacity,
    variables: env.variables,
    secrets: env.secrets,
    healthCheck: { ...env.healthCheck, path: env.healthCheck.path ?? image.healthPath },
    drainSeconds: env.drainSeconds,
  });
  await ports.traffic.shift({ service, environment }, [{ fleetId: live.fleetId, percent: 100 }]);
  return live;
}
