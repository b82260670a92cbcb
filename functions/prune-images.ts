import type { Fleets } from '../core/ports/fleets.js';
import type { ImageCatalog } from '../core/ports/image-baker.js';
import type { Ports } from '../core/ports/index.js';
import { gatherGarbageContext, selectGarbage } from '../core/releases/select-garbage.js';
import { defineTask } from './commons/define-task.js';
import { Planned } from './commons/flow-state.js';

/**
 * Discards images beyond the retained count, by the janitor's rule: never one that is live in any environment,
 * used by a deployment in flight, among each environment's recent releases (the rollback window), or run by
 * any fleet of the service, configured or not (ADR 52).
 */
export const createPruneImages = (
  ports: Pick<Ports, 'store' | 'clock'> & { baker: ImageCatalog; fleets: Pick<Fleets, 'imagesInUse'> },
) =>
  defineTask(
    {
      name: 'PruneImages',
      input: Planned,
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'prune', store: ports.store, clock: ports.clock },
    },
    async ({ plan }, { log }) => {
      // Images first, then the records that protect them: an image never exists before its deployment's record.
      const images = await ports.baker.listImages(plan.service);
      const context = await gatherGarbageContext(
        ports.store,
        plan.service,
        [plan.environment, ...plan.settings.serviceEnvironments],
        {
          retainImages: plan.settings.retainImages,
          bakeDeadlineSeconds: plan.settings.bake.timeoutSeconds,
          drainSeconds: { [plan.environment]: plan.settings.drainSeconds },
        },
        ports.clock.now(),
      );
      // Read from the fleets themselves, after the records: an environment dropped from configuration, or a
      // green that serves while its record says rolled_back, still keeps its image. Unread, nothing is pruned.
      const imagesInUse = await ports.fleets.imagesInUse(plan.service);
      const discard = selectGarbage(
        images.map((i) => ({
          kind: 'image' as const,
          id: i.imageId,
          service: i.service,
          createdAt: i.createdAt,
          deploymentId: i.createdByDeployment,
        })),
        // Images only: no fleet is judged, so the load balancers need not be read.
        { ...context, imagesInUse, routing: { read: false, reason: 'PruneImages judges images only' } },
      );
      for (const image of discard) await ports.baker.discardImage(image.id);
      log.info('images pruned', {
        kept: images.length - discard.length,
        discarded: discard.map((i) => i.id),
      });
      return { discarded: discard.map((i) => i.id) };
    },
  );
