import type { DeploymentExecutions, ExecutionState } from '../../core/ports/deployment-executions.js';
import type { LocalExecution } from './local-execution.js';

/**
 * Whether a deployment's execution still runs, as the local engine knows it. The engine runs every execution of
 * its home: one it does not know ran in a control plane that stopped (a crash outside `up`), and has ended.
 */
export class LocalExecutions implements DeploymentExecutions {
  constructor(private readonly executionOf: (deploymentId: string) => LocalExecution | undefined) {}

  async stateOf(deploymentId: string): Promise<ExecutionState> {
    const execution = this.executionOf(deploymentId);
    if (!execution) return { running: false, status: 'not running in this control plane (it stopped)' };
    return execution.status === 'RUNNING' ? { running: true } : { running: false, status: execution.status };
  }
}
