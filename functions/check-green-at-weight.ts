import { keepVerdict, lookAtGreen } from '../core/analysis/analyze-green.js';
import { describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed, StillJudging } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { firstShiftOf } from './commons/first-shift.js';
import { ShiftResult, WithGreen } from './commons/flow-state.js';

/**
 * Through a weighted step's hold, looked at again and again (StillJudging, retried by the ASL): green must stay
 * fully healthy and the sequential tests must not find it worse than blue (ADR 40). A sure regression undoes
 * the shift at once; after the hold, a pass goes on to the next step and an inconclusive verdict rolls back.
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
      const holdEndsAt = new Date(Date.parse(shift.at) + shift.holdSeconds * 1000);
      const look = await lookAtGreen(ports, {
        plan,
        step: `CheckGreenAtWeight ${shift.percent}%`,
        greenFleetId: green.fleetId,
        firstShiftAt: await firstShiftOf(ports.store, plan.deploymentId, shift),
        holdEndsAt,
      });
      if (!look) {
        if (ports.clock.now() < holdEndsAt) throw new StillJudging(`holding at ${shift.percent}%`);
        return { healthy: health.healthy, total: health.total, analysis: 'off' };
      }
      if (look.state === 'undecided') throw new StillJudging(`at ${shift.percent}%: ${look.note}`);
      await keepVerdict({ ...ports, log }, plan, look.entry);
      return { healthy: health.healthy, total: health.total, analysis: look.entry.reason };
    },
  );
