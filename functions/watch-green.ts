import { keepVerdict, lookAtGreen } from '../core/analysis/analyze-green.js';
import { describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed, RollbackRequested, StillWarm } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { firstShiftOf } from './commons/first-shift.js';
import { ShiftResult, WithGreen } from './commons/flow-state.js';

/**
 * Blue stays warm (untouched, ready to take traffic back) for keepBlueWarmSeconds after the shift. Each call
 * checks green: unhealthy fails the deployment, which moves traffic back to blue; so does a sure regression
 * against blue's own figures before the shift (ADR 40). Inside the window StillWarm (retried by the ASL); after
 * it a pass verifies green, and a verdict still undecided extends the window (bounded), then is inconclusive.
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
      const look = await lookAtGreen(ports, {
        plan,
        step: 'WatchGreen',
        greenFleetId: green.fleetId,
        firstShiftAt: await firstShiftOf(ports.store, plan.deploymentId, shift),
        holdEndsAt: new Date(warmUntil),
      });
      if (look?.state === 'decided') await keepVerdict({ ...ports, log }, plan, look.entry);
      else if (look || remaining > 0)
        throw new StillWarm(
          `green healthy; blue stays warm${remaining > 0 ? ` for ${remaining}s more` : ''}${look ? `: ${look.note}` : ''}`,
        );
      return { verifiedAt: ports.clock.now().toISOString() };
    },
  );
