import type { IamStatement } from '../commons/iam-statement.js';

/** What running pre-traffic tests on AWS needs: invoking the environments' test functions, by their prefix. */
export const LAMBDA_PRE_TRAFFIC_TESTS_IAM: IamStatement[] = [
  {
    sid: 'InvokePreTrafficTestFunctions',
    actions: ['lambda:InvokeFunction'],
    resources: [
      'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:bakeshift-pretraffic-*',
    ],
    why: 'only functions named bakeshift-pretraffic-… (a configuration must name its tests function so)',
  },
];
