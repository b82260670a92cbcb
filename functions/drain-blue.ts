import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { blueOf, Planned } from './commons/flow-state.js';

/** After the commit point: deregister blue's targets; in-flight requests finish within the returned delay. */
export const createDrainBlue = (ports: Pick<Ports, 'traffic' | 'store' | 'clock'>) =>
  defineTask(
    {
      name: 'DrainBlue',
      input: Planned,
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'reap', store: ports.store, clock: ports.clock },
    },
    async ({ plan }, { log }) => {
      const blue = blueOf(plan);
      const { drainSeconds } = await ports.traffic.drain(plan, blue.fleetId);
      log.info('draining blue', { fleetId: blue.fleetId, drainSeconds });
      return { drainSeconds: Math.max(drainSeconds, 0) };
    },
  );
