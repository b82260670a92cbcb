import { describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { ShiftResult, WithGreen } from './commons/flow-state.js';

/** After a weighted step's hold, green must still be fully healthy, or the shift is undone. */
export const createCheckGreenAtWeight = (ports: Pick<Ports, 'health'>) =>
  defineTask(
    {
      name: 'CheckGreenAtWeight',
      input: WithGreen.extend({ shift: ShiftResult }),
      deploymentIdOf: (i) => i.deploymentId,
    },
    async ({ plan, green, shift }) => {
      const health = await ports.health.check({ ...plan, fleetId: green.fleetId });
      if (!isFullyHealthy(health, green.capacity.desired)) {
        throw new HealthCheckFailed(
          `green unhealthy at ${shift.percent}% of traffic: ${describeHealth(health, green.capacity.desired)}`,
        );
      }
      return { healthy: health.healthy, total: health.total };
    },
  );
