import { arns, type IamStatement } from '../commons/iam-statement.js';

/** What reading service configurations needs. */
export const SSM_SERVICE_CONFIGS_IAM: IamStatement[] = [
  {
    sid: 'ReadServiceConfigs',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/services/*')],
    why: 'each service configuration is written by the CDK app under /bakeshift/services/',
  },
];
