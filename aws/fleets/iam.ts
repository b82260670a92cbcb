import {
  arns,
  type IamStatement,
  INSTANCE_ROLE_ARN,
  MANAGED_BY_CONDITION,
  TAGGED_ON_CREATE,
} from '../commons/iam-statement.js';

/** What the Auto Scaling fleets need. `${InstanceRoleArn}` is filled by the CDK app. */
export const AUTO_SCALING_FLEETS_IAM: IamStatement[] = [
  {
    sid: 'CreateTaggedLaunchTemplates',
    actions: ['ec2:CreateLaunchTemplate'],
    resources: [arns.ec2('launch-template')],
    conditions: TAGGED_ON_CREATE,
    why: 'one launch template per service+environment, tagged managed-by=bakeshift',
  },
  {
    sid: 'TagLaunchTemplatesAndInstancesOnCreate',
    actions: ['ec2:CreateTags'],
    resources: [arns.ec2('launch-template'), arns.ec2('instance'), arns.ec2('volume')],
    conditions: {
      StringEquals: {
        'ec2:CreateAction': ['CreateLaunchTemplate', 'RunInstances'],
        'aws:RequestTag/managed-by': 'bakeshift',
      },
    },
    why: 'tags on create need ec2:CreateTags: the launch template, and the instances and volumes Auto Scaling launches for the caller',
  },
  {
    sid: 'CreateTheAutoScalingServiceLinkedRole',
    actions: ['iam:CreateServiceLinkedRole'],
    resources: [
      'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
    ],
    conditions: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } },
    why: "the first group in an account creates Auto Scaling's service-linked role (EC2 Auto Scaling user guide)",
  },
  {
    sid: 'VersionOnlyItsLaunchTemplates',
    actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplateVersions'],
    resources: [arns.ec2('launch-template')],
    conditions: MANAGED_BY_CONDITION,
    why: 'a version per deployment, deleted with its fleet',
  },
  {
    sid: 'LaunchFleetInstancesFromItsTemplates',
    actions: ['ec2:RunInstances'],
    resources: [
      arns.ec2('launch-template'),
      arns.ec2('instance'),
      arns.ec2('volume'),
      arns.ec2('subnet'),
      arns.ec2('security-group'),
      arns.ec2('network-interface'),
      arns.image,
    ],
    why: 'Auto Scaling checks that the caller may launch from the launch template it is given',
  },
  {
    sid: 'CreateTaggedGroups',
    actions: ['autoscaling:CreateAutoScalingGroup'],
    resources: [arns.autoScalingGroup],
    conditions: TAGGED_ON_CREATE,
    why: 'a group per deployment, named bakeshift-* and tagged managed-by=bakeshift',
  },
  {
    sid: 'DeleteAndDetachOnlyItsGroups',
    actions: ['autoscaling:DeleteAutoScalingGroup', 'autoscaling:DetachTrafficSources'],
    resources: [arns.autoScalingGroup],
    conditions: MANAGED_BY_CONDITION,
    why: 'blue is drained and reaped; no other group is touched',
  },
  {
    sid: 'DescribeGroupsTemplatesImages',
    actions: [
      'autoscaling:DescribeAutoScalingGroups',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeImages',
      'ec2:DescribeInstances',
    ],
    resources: ['*'],
    why: 'Describe* actions of Auto Scaling and EC2 support no resource-level permissions',
  },
  {
    sid: 'PassOnlyTheInstanceRoleToEc2',
    actions: ['iam:PassRole'],
    resources: [INSTANCE_ROLE_ARN],
    conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    why: 'fleet instances run with the instance role, and only EC2 may receive it',
  },
  {
    sid: 'SetGreensHealthCheck',
    actions: ['elasticloadbalancing:ModifyTargetGroup'],
    resources: ['arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/*'],
    conditions: MANAGED_BY_CONDITION,
    why: "the free slot gets green's health check path (from its image) before green is attached",
  },
  {
    sid: 'ReadEnvironmentSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/*')],
    why: 'subnets, security groups, target groups and listeners written by the CDK app',
  },
];
