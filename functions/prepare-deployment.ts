import * as z from 'zod';
import type { Plan } from '../core/deployment/deployment-plan.js';
import { DeploymentRequest } from '../core/deployment/deployment-request.js';
import { prepareDeployment } from '../core/deployment/prepare-deployment.js';
import type { Ports } from '../core/ports/index.js';
import { WindowWait } from '../core/windows/window-verdict.js';
import { DEPLOY_HOLDER_BOUNDS } from '../statemachines/holder-bounds.js';
import { defineTask } from './commons/define-task.js';

/** The refusals that end a request before it is a deployment (the ASL's Catch to RequestRejected). */
export const REQUEST_REFUSALS = ['InvalidInput', 'Frozen', 'OutsideWindow'] as const;

/**
 * Validates the request, loads config, takes the lock (latest request wins; a holder that can no longer act
 * under it, by the state machine's own bounds or because its execution ended, is taken over), resolves blue and plans.
 */
export const createPrepareDeployment = (
  ports: Pick<Ports, 'configs' | 'store' | 'notifier' | 'clock' | 'executions'>,
) =>
  defineTask(
    {
      name: 'PrepareDeployment',
      // After WaitForWindow, the state also holds the wait it comes back from, at $.plan.
      input: DeploymentRequest.and(z.object({ plan: WindowWait.optional() })),
      deploymentIdOf: (r) => r.deploymentId,
      rejectsRequests: { errors: REQUEST_REFUSALS, clock: ports.clock },
    },
    ({ plan, ...request }, { log }): Promise<Plan | WindowWait> =>
      prepareDeployment({ ...ports, holderBounds: DEPLOY_HOLDER_BOUNDS }, request, log, plan),
  );
