import { judgeGreen, keepVerdict } from '../core/analysis/analyze-green.js';
import { describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed, RollbackRequested, StillWarm } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { ShiftResult, WithGreen } from './commons/flow-state.js';

/**
 * Blue stays warm (untouched, ready to take traffic back) for keepBlueWarmSeconds after the shift. Each call
 * checks green: unhealthy fails the deployment, which moves traffic back to blue; inside the window StillWarm
 * (retried by the ASL); after it, green is verified and the deployment may commit.
 */
export const createWatchGreen = (ports: Pick<Ports, 'health' | 'store' | 'clock' | 'metrics' | 'notifier'>) =>
  defineTask(
    {
      name: 'WatchGreen',
      input: WithGreen.extend({ shift: ShiftResult }),
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'warm', store: ports.store, clock: ports.clock },
    },
    async ({ plan, green, shift }, { log }) => {
      const record = await ports.store.getDeployment(plan.deploymentId);
      if (record?.rollbackRequestedBy) {
        throw new RollbackRequested(
          `rollback requested by ${record.rollbackRequestedBy} while blue was warm`,
        );
      }
      const health = await ports.health.check({ ...plan, fleetId: green.fleetId });
      if (!isFullyHealthy(health, green.capacity.desired)) {
        throw new HealthCheckFailed(
          `green became unhealthy after the shift: ${describeHealth(health, green.capacity.desired)}`,
        );
      }
      const warmUntil = Date.parse(shift.at) + plan.settings.keepBlueWarmSeconds * 1000;
      const remaining = Math.ceil((warmUntil - ports.clock.now().getTime()) / 1000);
      // All traffic is green's since the shift: judged against the absolute limits and alarms, kept when it
      // fails or at the window's end (not at every look).
      const window = {
        plan,
        step: 'WatchGreen',
        greenFleetId: green.fleetId,
        blueFleetId: null,
        from: new Date(shift.at),
      };
      const verdict = await judgeGreen(ports, window);
      if (verdict && (!verdict.passed || remaining <= 0)) await keepVerdict({ ...ports, log }, plan, verdict);
      if (remaining > 0) throw new StillWarm(`green healthy; blue stays warm for ${remaining}s more`);
      return { verifiedAt: ports.clock.now().toISOString() };
    },
  );
