import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import type { DeploymentStarter } from '../../core/ports/deployment-starter.js';
import { withAwsErrors } from '../commons/aws-errors.js';

/** How far Step Functions' clock may be behind ours before an earlier start date means "already running". */
const CLOCK_SKEW_MS = 1_000;

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
    const asked = Date.now();
    try {
      const { startDate } = await withAwsErrors('StartExecution', () =>
        this.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: this.stateMachineArn,
            name: request.deploymentId,
            input: JSON.stringify(request),
          }),
        ),
      );
      // While an execution of that name and input is open, StartExecution succeeds and returns *its* start
      // date (Step Functions API reference): an execution that began before we asked is the earlier one.
      return { started: !startDate || startDate.getTime() >= asked - CLOCK_SKEW_MS };
    } catch (error) {
      if ((error as Error).name === 'ExecutionAlreadyExists') return { started: false };
      throw error;
    }
  }
}
