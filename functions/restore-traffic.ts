import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { LockOwner } from './release-lock.js';

/**
 * Puts routing back exactly as it was before this deployment first changed it (100% blue, or nothing for a
 * first deployment), and the live release with it if the commit had already happened.
 */
export const createRestoreTraffic = (ports: Pick<Ports, 'traffic' | 'store'>) =>
  defineTask(
    { name: 'RestoreTraffic', input: LockOwner, deploymentIdOf: (i) => i.deploymentId },
    async (owner, { log }) => {
      const record = await ports.store.getDeployment(owner.deploymentId);
      if (record?.trafficBefore) {
        await ports.traffic.restore(owner, record.trafficBefore);
        log.info('traffic restored', { weights: record.trafficBefore.weights });
      }
      await ports.store.revertRelease(
        owner.service,
        owner.environment,
        owner.deploymentId,
        record?.previousRelease,
      );
      return { restored: record?.trafficBefore !== undefined };
    },
  );
