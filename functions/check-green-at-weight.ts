import { judgeGreen, keepVerdict } from '../core/analysis/analyze-green.js';
import { describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { ShiftResult, WithGreen } from './commons/flow-state.js';

/**
 * After a weighted step's hold, green must still be fully healthy and answer within its analysis limits over
 * the hold (against blue over the same window), or the shift is undone.
 */
export const createCheckGreenAtWeight = (
  ports: Pick<Ports, 'health' | 'metrics' | 'store' | 'clock' | 'notifier'>,
) =>
  defineTask(
    {
      name: 'CheckGreenAtWeight',
      input: WithGreen.extend({ shift: ShiftResult }),
      deploymentIdOf: (i) => i.deploymentId,
    },
    async ({ plan, green, shift }, { log }) => {
      const health = await ports.health.check({ ...plan, fleetId: green.fleetId });
      if (!isFullyHealthy(health, green.capacity.desired)) {
        throw new HealthCheckFailed(
          `green unhealthy at ${shift.percent}% of traffic: ${describeHealth(health, green.capacity.desired)}`,
        );
      }
      const verdict = await judgeGreen(ports, {
        plan,
        step: `CheckGreenAtWeight ${shift.percent}%`,
        greenFleetId: green.fleetId,
        blueFleetId: plan.blue?.fleetId ?? null,
        from: new Date(shift.at),
      });
      if (verdict) await keepVerdict({ ...ports, log }, plan, verdict);
      return { healthy: health.healthy, total: health.total, analysis: verdict?.reason ?? 'off' };
    },
  );
