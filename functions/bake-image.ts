import * as z from 'zod';
import { bakeKeyOf } from '../core/deployment/bake-key.js';
import { deliverBakeOutcome } from '../core/deployment/bake-outcome.js';
import { ArtifactRef } from '../core/deployment/deployment-request.js';
import { bakeIdOf } from '../core/deployment/resource-names.js';
import { BakeFailed } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { callbackPayload, Plan } from './commons/flow-state.js';

const Input = callbackPayload(z.object({ deploymentId: z.string(), artifact: ArtifactRef, plan: Plan }));

/**
 * The Bake Task (a callback). Reuses an image with the same bake key; otherwise starts the bake (idempotent)
 * and has the baker resume the Task when it ends. Each re-arm of the wait (TimeoutSeconds) lands here again:
 * a finished bake is delivered at once, so a lost event costs one check, and the configured deadline is enforced.
 */
export const createBakeImage = (ports: Pick<Ports, 'baker' | 'store' | 'callbacks' | 'clock'>) =>
  defineTask(
    {
      name: 'BakeImage',
      input: Input,
      deploymentIdOf: (i) => i.state.deploymentId,
      phase: { phase: 'bake', store: ports.store, clock: ports.clock },
    },
    async ({ state, taskToken }, { log }) => {
      const { plan, artifact } = state;
      const baseImageId = await ports.baker.resolveBaseImage(plan.settings.bake.baseImage);
      const bakeKey = bakeKeyOf({ artifact, baseImageId, recipe: ports.baker.recipe });

      const existing = await ports.baker.findImageByBakeKey(plan.service, bakeKey);
      if (existing && existing.createdByDeployment !== plan.deploymentId) {
        log.info('reusing image with the same bake key', { imageId: existing.imageId, bakeKey });
        await ports.store.updateDeployment(plan.deploymentId, {
          bakeKey,
          imageId: existing.imageId,
          imageReused: true,
        });
        await ports.callbacks.succeed(taskToken, { imageId: existing.imageId, bakeKey, reused: true });
        return;
      }

      const bakeId = bakeIdOf(plan.deploymentId);
      await ports.store.updateDeployment(plan.deploymentId, { bakeKey, imageReused: false });
      await ports.baker.startBake({
        bakeId,
        deploymentId: plan.deploymentId,
        service: plan.service,
        version: plan.version,
        bakeKey,
        artifact,
        baseImageId,
        timeoutSeconds: plan.settings.bake.timeoutSeconds,
        passEnvironment: plan.settings.bake.passEnvironment,
      });
      const status = await ports.baker.checkBake(bakeId);
      if (status.state === 'baking') {
        const bakingSeconds = (ports.clock.now().getTime() - Date.parse(status.startedAt)) / 1000;
        if (bakingSeconds >= plan.settings.bake.timeoutSeconds) {
          await ports.baker.cancelBake(bakeId);
          throw new BakeFailed(`no image after the bake deadline of ${plan.settings.bake.timeoutSeconds}s`);
        }
        log.info('baking', { bakeId, bakeKey });
        await ports.baker.notifyWhenDone(bakeId, taskToken);
        return;
      }
      await deliverBakeOutcome(ports.callbacks, taskToken, bakeKey, status);
    },
  );
