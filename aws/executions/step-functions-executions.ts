import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { DeploymentExecutions, ExecutionState } from '../../core/ports/deployment-executions.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { executionArnOf } from '../operations/execution-history.js';

/** DescribeExecution on the execution named after the deployment; any error reaches the caller. */
export class StepFunctionsExecutions implements DeploymentExecutions {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async stateOf(deploymentId: string): Promise<ExecutionState> {
    const executionArn = executionArnOf(this.stateMachineArn, deploymentId);
    const { status, stopDate } = await withAwsErrors('DescribeExecution', () =>
      this.sfn.send(new DescribeExecutionCommand({ executionArn })),
    );
    // PENDING_REDRIVE is about to run again: as running as RUNNING.
    if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return { running: true };
    if (!status) throw new Error(`DescribeExecution of ${executionArn} answered no status`);
    return { running: false, status, ...(stopDate ? { endedAt: stopDate.toISOString() } : {}) };
  }
}
