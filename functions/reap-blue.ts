import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { blueOf, Planned } from './commons/flow-state.js';

/** Destroys the drained blue fleet: disposable cattle, never patched or reused. */
export const createReapBlue = (ports: Pick<Ports, 'fleets'>) =>
  defineTask(
    { name: 'ReapBlue', input: Planned, deploymentIdOf: (i) => i.deploymentId },
    async ({ plan }, { log }) => {
      const blue = blueOf(plan);
      await ports.fleets.destroy({
        fleetId: blue.fleetId,
        service: plan.service,
        environment: plan.environment,
      });
      log.info('blue reaped', { fleetId: blue.fleetId });
      return { reaped: blue.fleetId };
    },
  );
