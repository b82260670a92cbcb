import { EC2_IMAGE_CATALOG_IAM } from '../baker/iam.js';
import { arns, type IamStatement, MANAGED_BY_CONDITION } from '../commons/iam-statement.js';

/**
 * The janitor only lists and removes what the baker and the fleets created (no launch, no create), and reads
 * the listeners' rules and target health to keep what they route to or drain (ADR 32).
 */
export const AWS_JANITOR_IAM: IamStatement[] = [
  ...EC2_IMAGE_CATALOG_IAM,
  {
    sid: 'TerminateOnlyItsBuilders',
    actions: ['ec2:TerminateInstances'],
    resources: [arns.ec2('instance')],
    conditions: MANAGED_BY_CONDITION,
    why: 'builders left by an abandoned bake carry managed-by=bakeshift',
  },
  {
    sid: 'RemoveOnlyItsFleets',
    actions: ['autoscaling:DeleteAutoScalingGroup', 'ec2:DeleteLaunchTemplateVersions'],
    resources: [arns.autoScalingGroup, arns.ec2('launch-template')],
    conditions: MANAGED_BY_CONDITION,
    why: 'orphan groups and launch template versions carry managed-by=bakeshift',
  },
  {
    sid: 'DescribeGroupsTemplatesInstances',
    actions: [
      'autoscaling:DescribeAutoScalingGroups',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DescribeInstances',
    ],
    resources: ['*'],
    why: 'Describe* actions of Auto Scaling and EC2 support no resource-level permissions',
  },
  {
    sid: 'ReadRoutingAndDraining',
    actions: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'],
    resources: ['*'],
    why: 'what the listeners route to and which targets drain; ELB Describe* support no resource-level permissions',
  },
];
