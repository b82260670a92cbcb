import { refuseIfRouted } from '../core/deployment/refuse-routed.js';
import { greenFleetIdOf } from '../core/deployment/resource-names.js';
import { TrafficShiftFailed } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { LockOwner } from './release-lock.js';

/** Destroys this attempt's green fleet, found by its derived name; refuses if green is live or routed to. */
export const createDestroyGreen = (ports: Pick<Ports, 'fleets' | 'store' | 'traffic'>) =>
  defineTask(
    { name: 'DestroyGreen', input: LockOwner, deploymentIdOf: (i) => i.deploymentId },
    async (owner, { log }) => {
      const fleetId = greenFleetIdOf(owner.deploymentId);
      const live = await ports.store.getLiveRelease(owner.service, owner.environment);
      if (live?.fleetId === fleetId) {
        throw new TrafficShiftFailed(`green fleet ${fleetId} is the live release; not destroying it`);
      }
      await refuseIfRouted(ports.traffic, owner, fleetId);
      await ports.fleets.destroy({ fleetId, service: owner.service, environment: owner.environment });
      log.info('green destroyed', { fleetId });
      return { destroyed: fleetId };
    },
  );
