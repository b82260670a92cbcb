import type { DeploymentRequest } from '../deployment/deployment-request.js';

/** Starts an execution of the deployment state machine named after the deployment (StartExecution). */
export interface DeploymentStarter {
  /** `started: false` when an execution with that name exists already: a repeated event starts nothing. */
  start(request: DeploymentRequest): Promise<{ started: boolean }>;
}
