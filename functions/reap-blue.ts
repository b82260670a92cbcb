import { refuseIfRouted } from '../core/deployment/refuse-routed.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { blueOf, Planned } from './commons/flow-state.js';

/** Destroys the drained blue fleet (disposable cattle, never patched or reused), unless the listener routes to it. */
export const createReapBlue = (ports: Pick<Ports, 'fleets' | 'traffic'>) =>
  defineTask(
    { name: 'ReapBlue', input: Planned, deploymentIdOf: (i) => i.deploymentId },
    async ({ plan }, { log }) => {
      const blue = blueOf(plan);
      await refuseIfRouted(ports.traffic, plan, blue.fleetId);
      await ports.fleets.destroy({
        fleetId: blue.fleetId,
        service: plan.service,
        environment: plan.environment,
      });
      log.info('blue reaped', { fleetId: blue.fleetId });
      return { reaped: blue.fleetId };
    },
  );
