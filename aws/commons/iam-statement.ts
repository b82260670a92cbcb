/**
 * One IAM statement an adapter needs, as data: the CDK app grants exactly these. Resources are CloudFormation
 * `Fn::Sub` strings (`${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}`, and the names below).
 */
export interface IamStatement {
  sid: string;
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Why, and for a `*` resource why nothing narrower is possible. */
  why: string;
  /**
   * The port operations this statement serves (e.g. `launch`, `destroy`). A function that uses only some of a
   * port's operations (infra/lambda-catalog.ts) gets only their statements. Absent: every use needs it.
   */
  serves?: readonly string[];
}

/** The instance roles' ARNs: the CDK app lists every service's role here, so PassRole names each one. */
export const INSTANCE_ROLE_ARN = '${InstanceRoleArn}';
/** Every environment's listener and preview listener (made or adopted by the CDK app), each by its ARN. */
export const LISTENER_ARNS = '${ListenerArns}';
/** Placeholders the CDK app fills only once every service's environments exist. */
export const ENVIRONMENT_PLACEHOLDERS = [INSTANCE_ROLE_ARN, LISTENER_ARNS] as const;

export const MANAGED_BY_CONDITION = { StringEquals: { 'aws:ResourceTag/managed-by': 'bakeshift' } };
export const TAGGED_ON_CREATE = { StringEquals: { 'aws:RequestTag/managed-by': 'bakeshift' } };
const ec2 = (type: string) => `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${type}/*`;
export const arns = {
  ec2,
  image: 'arn:${AWS::Partition}:ec2:${AWS::Region}::image/*',
  snapshot: 'arn:${AWS::Partition}:ec2:${AWS::Region}::snapshot/*',
  autoScalingGroup:
    'arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/bakeshift-*',
  parameter: (path: string) =>
    `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}`,
  /** AWS's public parameters (e.g. the latest AMIs) are owned by AWS: their ARN has no account. */
  publicParameter: (path: string) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}::parameter${path}`,
} as const;
