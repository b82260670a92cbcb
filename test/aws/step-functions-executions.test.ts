import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { StepFunctionsExecutions } from '../../aws/executions/step-functions-executions.js';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:bakeshift-deploy';

describe("whether a deployment's execution runs, asked of Step Functions (DescribeExecution)", () => {
  it('names the execution after the deployment, and says when an ended one stopped', async () => {
    const sfn = mockClient(SFNClient);
    const stopDate = new Date('2026-12-03T10:00:00.000Z');
    sfn.on(DescribeExecutionCommand).resolves({ status: 'ABORTED', stopDate } as never);
    const state = await new StepFunctionsExecutions(new SFNClient({}), STATE_MACHINE).stateOf('web-prod-abc');
    expect(state).toEqual({ running: false, status: 'ABORTED', endedAt: stopDate.toISOString() });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:bakeshift-deploy:web-prod-abc',
    });
    sfn.restore();
  });

  it('counts RUNNING and PENDING_REDRIVE as running', async () => {
    const sfn = mockClient(SFNClient);
    for (const status of ['RUNNING', 'PENDING_REDRIVE'] as const) {
      sfn.on(DescribeExecutionCommand).resolves({ status } as never);
      expect(await new StepFunctionsExecutions(new SFNClient({}), STATE_MACHINE).stateOf('d')).toEqual({
        running: true,
      });
    }
    sfn.restore();
  });
});
