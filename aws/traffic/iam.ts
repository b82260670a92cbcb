import { arns, type IamStatement, LISTENER_ARNS, MANAGED_BY_CONDITION } from '../commons/iam-statement.js';

/** What ALB traffic and target-group health need. */
export const ALB_TRAFFIC_IAM: IamStatement[] = [
  {
    sid: 'ShiftOnlyItsListeners',
    actions: ['elasticloadbalancing:ModifyListener'],
    // By ARN, not by tag: CloudFormation cannot tag a listener in every region (cfn-lint E3002, ADR 39).
    resources: [LISTENER_ARNS],
    why: "each service environment's listener and preview listener, made or adopted by the CDK app",
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
    ],
    resources: ['*'],
    why: 'Describe* actions of Elastic Load Balancing support no resource-level permissions',
    serves: ['read', 'drain'],
  },
  {
    sid: 'FindFleetTargetGroups',
    actions: ['autoscaling:DescribeAutoScalingGroups'],
    resources: ['*'],
    why: "a fleet's target group is read from its Auto Scaling group, to route by weights (a restore without the listener's action too), read routing or drain; Describe* actions of Auto Scaling support no resource-level permissions",
    serves: ['read', 'route', 'drain'],
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
