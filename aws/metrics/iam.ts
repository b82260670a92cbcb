import { arns, type IamStatement } from '../commons/iam-statement.js';

/** What reading the load balancer's metrics and the environments' alarms needs. */
export const CLOUDWATCH_TRAFFIC_METRICS_IAM: IamStatement[] = [
  {
    sid: 'ReadLoadBalancerMetrics',
    actions: ['cloudwatch:GetMetricData'],
    resources: ['*'],
    why: 'GetMetricData has no required resource type (its only one is a dataset, not metrics)',
  },
  {
    sid: 'ReadAlarmStates',
    actions: ['cloudwatch:DescribeAlarms'],
    resources: ['arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*'],
    why: "the environments' configured alarms, by name (an environment may name any alarm of the account)",
  },
  {
    sid: 'ReadEnvironmentSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/*')],
    why: 'the listener whose load balancer the metrics are of, written by the CDK app',
  },
  {
    sid: 'FindFleetTargetGroups',
    actions: ['autoscaling:DescribeAutoScalingGroups'],
    resources: ['*'],
    why: "each fleet's target group, from its group's traffic source; Describe actions have no resource type",
  },
];
