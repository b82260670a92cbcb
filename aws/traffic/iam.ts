import { arns, type IamStatement, MANAGED_BY_CONDITION } from '../commons/iam-statement.js';

/** What ALB traffic and target-group health need. */
export const ALB_TRAFFIC_IAM: IamStatement[] = [
  {
    sid: 'ShiftOnlyItsListeners',
    actions: ['elasticloadbalancing:ModifyListener'],
    resources: ['arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}:listener/app/*'],
    conditions: MANAGED_BY_CONDITION,
    why: "the CDK app tags each service's listener and preview listener managed-by=bakeshift",
    serves: ['route'],
  },
  {
    sid: 'DrainOnlyItsGroups',
    actions: ['autoscaling:DetachTrafficSources'],
    resources: [arns.autoScalingGroup],
    conditions: MANAGED_BY_CONDITION,
    why: 'draining blue detaches its group from its target group',
    serves: ['drain'],
  },
  {
    sid: 'DescribeListenersAndTargets',
    actions: [
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:DescribeTargetGroupAttributes',
      'autoscaling:DescribeAutoScalingGroups',
    ],
    resources: ['*'],
    why: 'Describe* actions of Elastic Load Balancing and Auto Scaling support no resource-level permissions',
    serves: ['read', 'drain'],
  },
  {
    sid: 'ReadEnvironmentSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/*')],
    why: 'listener and target-group ARNs written by the CDK app',
    serves: ['read', 'route'],
  },
];

/** What target-group health needs: reads only. */
export const TARGET_GROUP_HEALTH_IAM: IamStatement[] = [
  {
    sid: 'DescribeTargetsAndGroups',
    actions: ['elasticloadbalancing:DescribeTargetHealth', 'autoscaling:DescribeAutoScalingGroups'],
    resources: ['*'],
    why: 'Describe* actions of Elastic Load Balancing and Auto Scaling support no resource-level permissions',
  },
];
