import type { IamStatement } from '../commons/iam-statement.js';

/** What resuming a waiting Task needs. */
export const STEP_FUNCTIONS_CALLBACKS_IAM: IamStatement[] = [
  {
    sid: 'ResumeWaitingTasks',
    actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
    resources: ['*'],
    why: 'the Service Authorization Reference lists no resource types for SendTaskSuccess/Failure (a task token names its execution): no resource-level permissions',
    // In the baker: a bake's outcome is delivered when it is advanced to its end.
    serves: ['advance'],
  },
];
