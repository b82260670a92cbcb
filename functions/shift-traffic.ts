import { deploymentRef, notifyQuietly } from '../core/deployment/notify-quietly.js';
import { announceOnce } from '../core/deployment/once-per-deployment.js';
import { weightsAt } from '../core/deployment/traffic-plan.js';
import { InvalidInput } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { ShiftResult, WithGreen } from './commons/flow-state.js';

/**
 * Applies the next traffic step. Before the first change it records the routing as it was, once: a retry
 * after a partial shift must not record the half-shifted routing as "before".
 */
export const createShiftTraffic = (ports: Pick<Ports, 'traffic' | 'store' | 'notifier' | 'clock'>) =>
  defineTask(
    {
      name: 'ShiftTraffic',
      input: WithGreen.extend({ shift: ShiftResult.optional() }),
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'shift', store: ports.store, clock: ports.clock },
    },
    async ({ plan, green, shift }, { log }) => {
      const steps = plan.settings.trafficSteps;
      const stepIndex = shift ? shift.stepIndex + 1 : 0;
      const step = steps[stepIndex];
      if (!step)
        throw new InvalidInput(`ShiftTraffic input: no traffic step ${stepIndex} (${steps.length} steps)`);

      const record = await ports.store.getDeployment(plan.deploymentId);
      if (!record?.trafficBefore) {
        const before = await ports.traffic.current(plan);
        await ports.store.updateDeployment(plan.deploymentId, { trafficBefore: before });
      }
      const weights = weightsAt(step.percent, green.fleetId, plan.blue?.fleetId);
      await ports.traffic.shift(plan, weights);
      const at = ports.clock.now().toISOString();
      log.info('traffic shifted', { step: stepIndex + 1, of: steps.length, weights });
      await notifyQuietly(
        announceOnce(ports, `traffic_shifted:${stepIndex}`),
        {
          kind: 'traffic_shifted',
          ...deploymentRef(plan),
          imageId: green.imageId,
          at,
          // What green serves: a first release (no blue) takes everything whatever the step says.
          detail: `${plan.blue ? step.percent : 100}% to ${plan.version}`,
        },
        log,
      );
      // With no blue, green takes everything at the first step: there is nothing to shift gradually from.
      const done = !plan.blue || stepIndex === steps.length - 1;
      return { stepIndex, percent: plan.blue ? step.percent : 100, holdSeconds: step.holdSeconds, done, at };
    },
  );
