import {
  type AutoScalingClient,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteLaunchTemplateCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  type Action,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteObjectsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { TAG } from '../../../aws/commons/tags.js';
import type { DeployedStack } from './stack-in-moto.js';

const MANAGED = [{ Name: `tag:${TAG.managedBy}`, Values: ['bakeshift'] }];
const NOT_TERMINATED = ['pending', 'running', 'stopping', 'stopped'];
/** Bounds every listing the reset pages through: far more than a scenario makes. */
const MAX_PAGES = 20;

export interface ResetClients {
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
  dynamo: DynamoDBClient;
  s3: S3Client;
  cloudWatch: CloudWatchClient;
}

/**
 * What the stack alone is, as moto holds it right after the deployment: the listeners' default actions, and the
 * places scenarios write (target groups, buckets, tables). A scenario starts from here.
 */
export interface Baseline {
  listeners: Map<string, Action[]>;
  targetGroups: string[];
  buckets: string[];
  tables: string[];
}

export async function baselineOf(clients: ResetClients, stack: DeployedStack): Promise<Baseline> {
  const listeners = new Map<string, Action[]>();
  for (const arn of stack.physicalIdsOf('AWS::ElasticLoadBalancingV2::Listener')) {
    const { Listeners = [] } = await clients.elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
    listeners.set(arn, Listeners[0]?.DefaultActions ?? []);
  }
  return {
    listeners,
    targetGroups: stack.physicalIdsOf('AWS::ElasticLoadBalancingV2::TargetGroup'),
    buckets: stack.physicalIdsOf('AWS::S3::Bucket'),
    tables: stack.physicalIdsOf('AWS::DynamoDB::Table'),
  };
}

/**
 * Puts moto back to the baseline: removes everything a scenario makes (bakeshift's groups, instances, images,
 * snapshots and launch templates; targets; objects; items; alarms) and every listener's default action back as
 * the stack made it. The clients go through the front: DeleteAutoScalingGroup and DeregisterImage as AWS does
 * them (shims). The next scenario's first check is that nothing of bakeshift's is left.
 */
export async function resetToBaseline(clients: ResetClients, baseline: Baseline): Promise<void> {
  await removeFleets(clients);
  await removeImages(clients.ec2);
  for (const [ListenerArn, DefaultActions] of baseline.listeners)
    await clients.elb.send(new ModifyListenerCommand({ ListenerArn, DefaultActions }));
  for (const TargetGroupArn of baseline.targetGroups) {
    const { TargetHealthDescriptions = [] } = await clients.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn }),
    );
    const Targets = TargetHealthDescriptions.flatMap((d) => (d.Target ? [d.Target] : []));
    if (Targets.length > 0) await clients.elb.send(new DeregisterTargetsCommand({ TargetGroupArn, Targets }));
  }
  for (const bucket of baseline.buckets) await emptyBucket(clients.s3, bucket);
  for (const table of baseline.tables) await emptyTable(clients.dynamo, table);
  const { MetricAlarms = [] } = await clients.cloudWatch.send(new DescribeAlarmsCommand({}));
  const AlarmNames = MetricAlarms.flatMap((a) => (a.AlarmName ? [a.AlarmName] : []));
  if (AlarmNames.length > 0) await clients.cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames }));
}

async function removeFleets({ ec2, autoScaling }: ResetClients): Promise<void> {
  const { AutoScalingGroups = [] } = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({
      Filters: MANAGED.map((f) => ({ Name: f.Name, Values: f.Values })),
    }),
  );
  for (const group of AutoScalingGroups)
    await autoScaling.send(
      new DeleteAutoScalingGroupCommand({
        AutoScalingGroupName: group.AutoScalingGroupName,
        ForceDelete: true,
      }),
    );
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [...MANAGED, { Name: 'instance-state-name', Values: NOT_TERMINATED }],
    }),
  );
  const InstanceIds = Reservations.flatMap((r) => r.Instances ?? []).flatMap((i) =>
    i.InstanceId ? [i.InstanceId] : [],
  );
  if (InstanceIds.length > 0) await ec2.send(new TerminateInstancesCommand({ InstanceIds }));
  const { LaunchTemplates = [] } = await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: MANAGED }));
  for (const template of LaunchTemplates)
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: template.LaunchTemplateId }));
}

async function removeImages(ec2: EC2Client): Promise<void> {
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: MANAGED }));
  for (const image of Images)
    await ec2.send(new DeregisterImageCommand({ ImageId: image.ImageId, DeleteAssociatedSnapshots: true }));
  const { Snapshots = [] } = await ec2.send(
    new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: MANAGED }),
  );
  for (const snapshot of Snapshots)
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot.SnapshotId }));
}

/** Every version and delete marker of every object. */
async function emptyBucket(s3: S3Client, Bucket: string): Promise<void> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    const Objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key,
      VersionId: v.VersionId,
    }));
    if (Objects.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects } }));
  }
  throw new Error(`bucket ${Bucket}: not empty after ${MAX_PAGES} pages`);
}

async function emptyTable(dynamo: DynamoDBClient, TableName: string): Promise<void> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName }));
  const keys = (Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '');
  for (let page = 0; page < MAX_PAGES; page++) {
    const { Items = [] } = await dynamo.send(new ScanCommand({ TableName, Limit: 25 }));
    if (Items.length === 0) return;
    await dynamo.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TableName]: Items.map((item) => ({
            DeleteRequest: { Key: Object.fromEntries(keys.map((k) => [k, item[k] ?? { S: '' }])) },
          })),
        },
      }),
    );
  }
  throw new Error(`table ${TableName}: not empty after ${MAX_PAGES} pages of 25`);
}
