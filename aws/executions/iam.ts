import type { IamStatement } from '../commons/iam-statement.js';

/** Whether a lock holder's execution still runs (ADR 35). `${StateMachineName}` is filled by the CDK app. */
export const STEP_FUNCTIONS_EXECUTIONS_IAM: IamStatement[] = [
  {
    sid: 'DescribeDeploymentExecutions',
    actions: ['states:DescribeExecution'],
    resources: [
      'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${StateMachineName}:*',
    ],
    why: "whether the deployment holding a lock still runs: only the deployment state machine's executions",
  },
];
