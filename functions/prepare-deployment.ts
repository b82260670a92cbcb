import type { Plan } from '../core/deployment/deployment-plan.js';
import { DeploymentRequest } from '../core/deployment/deployment-request.js';
import { prepareDeployment } from '../core/deployment/prepare-deployment.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';

/** Validates the request, loads config, takes the lock (latest request wins), resolves blue and plans. */
export const createPrepareDeployment = (ports: Pick<Ports, 'configs' | 'store' | 'notifier' | 'clock'>) =>
  defineTask(
    { name: 'PrepareDeployment', input: DeploymentRequest, deploymentIdOf: (r) => r.deploymentId },
    (request, { log }): Promise<Plan> => prepareDeployment(ports, request, log),
  );
