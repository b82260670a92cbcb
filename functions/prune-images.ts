import { imagesToPrune } from '../core/deployment/image-retention.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { Planned } from './commons/flow-state.js';

/** How many recent releases per environment keep their images for a rollback by redeploy. */
const ROLLBACK_WINDOW_RELEASES = 2;

/**
 * Discards images beyond the retained count. Never one that is live in any environment, used by a deployment
 * in flight, or among each environment's recent releases (the rollback window).
 */
export const createPruneImages = (ports: Pick<Ports, 'baker' | 'store' | 'clock'>) =>
  defineTask(
    {
      name: 'PruneImages',
      input: Planned,
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'prune', store: ports.store, clock: ports.clock },
    },
    async ({ plan }, { log }) => {
      const live = await ports.store.listLiveReleases(plan.service);
      const environments = new Set([plan.environment, ...live.map((r) => r.environment)]);
      const protectedIds = new Set(live.map((r) => r.imageId));
      for (const environment of environments) {
        const history = await ports.store.listDeployments(plan.service, environment, 50);
        const inFlight = history.filter((d) => d.status === 'in_progress' || d.status === 'compensating');
        const recent = history.filter((d) => d.status === 'succeeded').slice(0, ROLLBACK_WINDOW_RELEASES);
        for (const d of [...inFlight, ...recent]) if (d.imageId) protectedIds.add(d.imageId);
      }
      const images = await ports.baker.listImages(plan.service);
      const discard = imagesToPrune(images, plan.settings.retainImages, protectedIds);
      for (const image of discard) await ports.baker.discardImage(image.imageId);
      log.info('images pruned', {
        kept: images.length - discard.length,
        discarded: discard.map((i) => i.imageId),
      });
      return { discarded: discard.map((i) => i.imageId) };
    },
  );
