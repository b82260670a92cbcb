import type { IamStatement } from '../commons/iam-statement.js';

/** What the DynamoDB release store needs. `${ReleaseTable}` is filled by the CDK app. */
export const RELEASE_STORE_IAM: IamStatement[] = [
  {
    sid: 'ReleaseTable',
    actions: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    ],
    resources: [
      'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ReleaseTable}',
      'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ReleaseTable}/index/gsi1',
    ],
    why: 'records, history (the gsi1 index), live releases, locks and approvals in one table',
  },
];
