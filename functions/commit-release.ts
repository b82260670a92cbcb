import { ArtifactRef } from '../core/deployment/deployment-request.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { WithGreen } from './commons/flow-state.js';

/** The commit point: green becomes the live release, then the deployment is marked succeeded. */
export const createCommitRelease = (ports: Pick<Ports, 'store' | 'clock'>) =>
  defineTask(
    {
      name: 'CommitRelease',
      input: WithGreen.extend({ artifact: ArtifactRef.optional() }),
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'commit', store: ports.store, clock: ports.clock },
    },
    async ({ plan, green, artifact }) => {
      const at = ports.clock.now().toISOString();
      await ports.store.commitRelease(
        {
          service: plan.service,
          environment: plan.environment,
          version: plan.version,
          imageId: green.imageId,
          fleetId: green.fleetId,
          deploymentId: plan.deploymentId,
          capacity: green.capacity,
          ...(artifact ? { artifact } : {}),
          liveSince: at,
        },
        at,
      );
      return { committedAt: at };
    },
  );
