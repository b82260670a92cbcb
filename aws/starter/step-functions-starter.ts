import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import type { DeploymentStarter } from '../../core/ports/deployment-starter.js';
import { withAwsErrors } from '../commons/aws-errors.js';

/**
 * StartExecution named after the deployment id: Step Functions keeps names unique for 90 days, so a repeated
 * event (at-least-once delivery, a retried schedule) starts nothing.
 */
export class StepFunctionsStarter implements DeploymentStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(request: DeploymentRequest): Promise<{ started: boolean }> {
    try {
      await withAwsErrors('StartExecution', () =>
        this.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: this.stateMachineArn,
            name: request.deploymentId,
            input: JSON.stringify(request),
          }),
        ),
      );
      return { started: true };
    } catch (error) {
      if ((error as Error).name === 'ExecutionAlreadyExists') return { started: false };
      throw error;
    }
  }
}
