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
    serves: ['launch'],
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
    serves: ['launch'],
  },
  {
    sid: 'CreateTheAutoScalingServiceLinkedRole',
    actions: ['iam:CreateServiceLinkedRole'],
    resources: [
      'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
    ],
    conditions: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } },
    why: "the first group in an account creates Auto Scaling's service-linked role (EC2 Auto Scaling user guide)",
    serves: ['launch'],
  },
  {
    sid: 'VersionOnlyItsLaunchTemplates',
    actions: ['ec2:CreateLaunchTemplateVersion'],
    resources: [arns.ec2('launch-template')],
    conditions: MANAGED_BY_CONDITION,
    why: 'a version per deployment',
    serves: ['launch'],
  },
  {
    sid: 'DeleteOnlyItsLaunchTemplateVersions',
    actions: ['ec2:DeleteLaunchTemplateVersions'],
    resources: [arns.ec2('launch-template')],
    conditions: MANAGED_BY_CONDITION,
    why: "a fleet's version is deleted with it",
    serves: ['destroy'],
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
    serves: ['launch'],
  },
  {
    sid: 'CreateTaggedGroups',
    actions: ['autoscaling:CreateAutoScalingGroup'],
    resources: [arns.autoScalingGroup],
    conditions: TAGGED_ON_CREATE,
    why: 'a group per deployment, named bakeshift-* and tagged managed-by=bakeshift',
    serves: ['launch'],
  },
  {
    sid: 'DeleteOnlyItsGroups',
    actions: ['autoscaling:DeleteAutoScalingGroup'],
    resources: [arns.autoScalingGroup],
    conditions: MANAGED_BY_CONDITION,
    why: 'a reaped or compensated fleet is deleted; no other group is touched',
    serves: ['destroy'],
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
    serves: ['launch'],
  },
  {
    sid: 'SetGreensHealthCheck',
    actions: ['elasticloadbalancing:ModifyTargetGroup'],
    resources: ['arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:targetgroup/*'],
    conditions: MANAGED_BY_CONDITION,
    why: "the free slot gets green's health check path (from its image) before green is attached",
    serves: ['launch'],
  },
  {
    sid: 'ReadEnvironmentSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/*')],
    why: 'subnets, security groups, target groups and listeners written by the CDK app',
    serves: ['launch'],
  },
];

/**
 * What a diagnosis of an unhealthy fleet reads (cloudwatch-instance-diagnostics.ts): its instances' log streams.
 * It finds the instances with DescribeAutoScalingGroups, which the health port's statements grant.
 */
export const INSTANCE_DIAGNOSTICS_IAM: IamStatement[] = [
  {
    sid: 'ReadInstanceLogs',
    actions: ['logs:FilterLogEvents'],
    resources: ['arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/bakeshift/*'],
    why: "the last lines green's instances shipped to /bakeshift/<service>/<environment>, for a failure's cause",
  },
];
