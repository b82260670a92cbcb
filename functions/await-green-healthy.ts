import { describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed, HealthPending } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { WithGreen } from './commons/flow-state.js';

/**
 * One health check of green. Not ready yet: HealthPending, which the ASL retries (a bounded poll: target health
 * has no event). Past the configured deadline: HealthCheckFailed, with every target's state in the cause.
 */
export const createAwaitGreenHealthy = (ports: Pick<Ports, 'health' | 'store' | 'clock'>) =>
  defineTask(
    {
      name: 'AwaitGreenHealthy',
      input: WithGreen,
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'health', store: ports.store, clock: ports.clock },
    },
    async ({ plan, green }) => {
      const health = await ports.health.check({ ...plan, fleetId: green.fleetId });
      const desired = green.capacity.desired;
      if (isFullyHealthy(health, desired)) return { healthy: health.healthy, total: health.total };
      const waited = (ports.clock.now().getTime() - Date.parse(green.launchedAt)) / 1000;
      if (waited >= plan.settings.healthCheck.deadlineSeconds) {
        throw new HealthCheckFailed(
          `green not healthy within ${plan.settings.healthCheck.deadlineSeconds}s: ${describeHealth(health, desired)}`,
        );
      }
      throw new HealthPending(describeHealth(health, desired));
    },
  );
