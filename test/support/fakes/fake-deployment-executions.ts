import type { ExecutionState } from '../../../core/ports/deployment-executions.js';
import { LocalExecutions } from '../../../local/engine/local-executions.js';

/** The engine's executions, as local mode answers; a test can make every question fail (throttled, denied). */
export class FakeDeploymentExecutions extends LocalExecutions {
  /** Set: every question fails with an error of this name. */
  failWith: string | undefined;
  readonly asked: string[] = [];

  override async stateOf(deploymentId: string): Promise<ExecutionState> {
    this.asked.push(deploymentId);
    if (this.failWith) throw Object.assign(new Error(`${this.failWith} (fake)`), { name: this.failWith });
    return super.stateOf(deploymentId);
  }
}
