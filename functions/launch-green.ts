import * as z from 'zod';
import { greenCapacity } from '../core/deployment/green-capacity.js';
import { InvalidInput, LaunchFailed } from '../core/errors.js';
import type { ImageCatalog } from '../core/ports/image-baker.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { ImageResult, Plan } from './commons/flow-state.js';

const Input = z.object({ deploymentId: z.string(), plan: Plan, image: ImageResult.optional() });

/** Launches green from the image; blue's fleet and capacity are never touched. Idempotent by fleet id. */
export const createLaunchGreen = (
  ports: Pick<Ports, 'fleets' | 'traffic' | 'store' | 'clock'> & { baker: ImageCatalog },
) =>
  defineTask(
    {
      name: 'LaunchGreen',
      input: Input,
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'launch', store: ports.store, clock: ports.clock },
    },
    async ({ plan, image: baked }, { log }) => {
      const imageId = baked?.imageId ?? plan.imageId;
      if (!imageId)
        throw new InvalidInput('LaunchGreen input: neither $.image.imageId nor $.plan.imageId is set');
      const image = await ports.baker.getImage(imageId);
      if (!image) throw new LaunchFailed(`image ${imageId} does not exist (discarded?)`);

      // Blue's capacity now, not as recorded at its release: it may have scaled out since.
      const blueNow = plan.blue
        ? ((await ports.fleets.describe(plan.blue.fleetId))?.capacity ?? plan.blue.capacity)
        : undefined;
      const capacity = greenCapacity(plan.settings.capacity, blueNow);
      await ports.store.updateDeployment(plan.deploymentId, { imageId, imageReused: baked?.reused ?? true });
      log.info('launching green', { fleetId: plan.greenFleetId, imageId, capacity });
      await ports.fleets.launch({
        fleetId: plan.greenFleetId,
        service: plan.service,
        environment: plan.environment,
        deploymentId: plan.deploymentId,
        version: plan.version,
        imageId,
        capacity,
        variables: plan.settings.variables,
        secrets: plan.settings.secrets,
        healthCheck: {
          ...plan.settings.healthCheck,
          path: plan.settings.healthCheck.path ?? image.healthPath,
        },
        drainSeconds: plan.settings.drainSeconds,
      });
      const preview = await ports.traffic.preview(plan, plan.greenFleetId);
      return {
        fleetId: plan.greenFleetId,
        imageId,
        capacity,
        launchedAt: ports.clock.now().toISOString(),
        ...(preview.url ? { previewUrl: preview.url } : {}),
      };
    },
  );
