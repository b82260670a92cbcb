import type { IamStatement } from '../commons/iam-statement.js';

/** What starting deployments needs. `${StateMachineArn}` is filled by the CDK app. */
export const STEP_FUNCTIONS_STARTER_IAM: IamStatement[] = [
  {
    sid: 'StartOnlyDeployments',
    actions: ['states:StartExecution'],
    resources: ['${StateMachineArn}'],
    why: 'only the deployment state machine is started',
  },
];
