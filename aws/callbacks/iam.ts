import type { IamStatement } from '../commons/iam-statement.js';

/** What resuming a waiting Task needs. `${StateMachineArn}` is filled by the CDK app. */
export const STEP_FUNCTIONS_CALLBACKS_IAM: IamStatement[] = [
  {
    sid: 'ResumeOnlyDeployments',
    actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
    resources: ['${StateMachineArn}'],
    why: "only the deployment state machine's waiting Tasks are resumed",
  },
];
