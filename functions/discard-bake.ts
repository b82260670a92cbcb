import { bakeIdOf } from '../core/deployment/resource-names.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { LockOwner } from './release-lock.js';

/**
 * Cancels this attempt's bake and discards the images it created. A reused image was created by another
 * deployment and is kept; so is any image that has meanwhile become live somewhere.
 */
export const createDiscardBake = (ports: Pick<Ports, 'baker' | 'store'>) =>
  defineTask(
    { name: 'DiscardBake', input: LockOwner, deploymentIdOf: (i) => i.deploymentId },
    async (owner, { log }) => {
      await ports.baker.cancelBake(bakeIdOf(owner.deploymentId));
      const live = new Set((await ports.store.listLiveReleases(owner.service)).map((r) => r.imageId));
      const own = (await ports.baker.listImages(owner.service)).filter(
        (image) => image.createdByDeployment === owner.deploymentId && !live.has(image.imageId),
      );
      for (const image of own) await ports.baker.discardImage(image.imageId);
      log.info('bake discarded', { images: own.map((i) => i.imageId) });
      return { discarded: own.map((i) => i.imageId) };
    },
  );
