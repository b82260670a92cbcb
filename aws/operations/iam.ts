import { arns, type IamStatement } from '../commons/iam-statement.js';
import { RELEASE_STORE_IAM } from '../release-store/iam.js';

/*
 * What each kind of person needs to use bakeshift on AWS through the CLI or console (aws-operations.ts), as the
 * managed policies the CDK app outputs. `${…}` placeholders are filled by the CDK app. The IAM oracle holds each
 * policy to the calls its commands make, and shows each refusing the others' (test/aws/operator-iam.test.ts).
 */

const table = RELEASE_STORE_IAM[0]?.resources ?? [];
const functionArn = (name: string) =>
  `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${${name}}`;

/** Viewer: status, history, a deployment's progress, logs and events; nothing that changes anything. */
export const OPERATOR_VIEWER_IAM: IamStatement[] = [
  {
    sid: 'ReadReleases',
    actions: ['dynamodb:GetItem', 'dynamodb:Query'],
    resources: table,
    why: 'live releases, locks and deployment records (history through the gsi1 index)',
  },
  {
    sid: 'ReadSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/operator'), arns.parameter('/bakeshift/services/*')],
    why: "where the stack's pieces are, and each service's configuration and environment settings",
  },
  {
    sid: 'FollowDeployments',
    actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
    resources: [
      'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${StateMachineName}:*',
    ],
    why: "a deployment's steps, from its execution's history (executions are named after deployments)",
  },
  {
    sid: 'CountInstancesAndReadTraffic',
    actions: ['autoscaling:DescribeAutoScalingGroups', 'elasticloadbalancing:DescribeListeners'],
    resources: ['*'],
    why: "the fleets' instances and the listener's split; the reference lists no resource type for either",
  },
  {
    sid: 'ReadLogsAndEvents',
    actions: ['logs:FilterLogEvents'],
    resources: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/bakeshift/*'],
    why: "the instances' central logs (/bakeshift/<service>/<env>) and bakeshift's events (/bakeshift/events)",
  },
  {
    sid: 'ChartGreenAndBlue',
    actions: ['cloudwatch:GetMetricData'],
    resources: ['*'],
    why: "the console's charts of green against blue: the target groups' ALB metrics (no resource type exists)",
  },
];

/** Deployer: a viewer who also uploads artifacts, promotes, rolls back, runs congruence and the janitor. */
export const OPERATOR_DEPLOYER_IAM: IamStatement[] = [
  ...OPERATOR_VIEWER_IAM,
  {
    sid: 'UploadArtifacts',
    actions: ['s3:PutObject'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}/*/*/*.tgz'],
    why: 'artifacts go to <service>/<environment>/<version>.tgz, the key the trigger expects; nothing else',
  },
  {
    sid: 'StartDeployments',
    actions: ['states:StartExecution'],
    resources: ['${StateMachineArn}'],
    why: 'promotions and rollbacks start the deployment state machine',
  },
  {
    sid: 'CheckSourceHealth',
    actions: ['elasticloadbalancing:DescribeTargetHealth'],
    resources: ['*'],
    why: 'a promotion checks the source fleet is healthy; DescribeTargetHealth has no resource type',
  },
  {
    sid: 'RunCongruenceAndJanitor',
    actions: ['lambda:InvokeFunction'],
    resources: [functionArn('CongruenceFunction'), functionArn('JanitorFunction')],
    why: 'a congruence run and the janitor run as their scheduled functions do',
  },
];

/** Approver: a viewer who also approves or rejects, through the decision endpoint (AWS_IAM only). */
export const OPERATOR_APPROVER_IAM: IamStatement[] = [
  ...OPERATOR_VIEWER_IAM,
  {
    sid: 'DecideThroughTheEndpoint',
    actions: ['lambda:InvokeFunctionUrl'],
    resources: [functionArn('DecisionFunction')],
    conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
    why: "the decision endpoint decides as the caller's IAM identity, checked against the approvers",
  },
  {
    sid: 'InvokeTheEndpointsFunction',
    actions: ['lambda:InvokeFunction'],
    resources: [functionArn('DecisionFunction')],
    conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
    why: 'a function URL call also needs InvokeFunction (since October 2025); only through the URL',
  },
];
