import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { AuthorizeSecurityGroupEgressCommand, CreateFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateFunctionUrlConfigCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { motoCopyOf, resolvedProperties, type TakenOut, type Template } from './moto-template.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const ASSETS_BUCKET = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;
export const STACK_NAME = 'bakeshift';

/** What `cdk synth` wrote: the template and each function's bundle (an asset directory with index.mjs). */
export interface Synthesized {
  outdir: string;
  template: Template;
}

export function readSynthesized(outdir: string): Synthesized {
  return { outdir, template: JSON.parse(readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) };
}

/** Zips each asset directory given (argv[2:]) into <directory>.zip, as `cdk deploy` uploads it. */
const ZIP_ASSETS = `
import os, sys, zipfile
for directory in sys.argv[1:]:
    with zipfile.ZipFile(directory + ".zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(os.listdir(directory)):
            archive.write(os.path.join(directory, name), name)
`;

/** Every function's asset zipped (python3's zipfile, one process: moto needs Python anyway), by its hash. */
export function zipAssets(outdir: string): Map<string, string> {
  const assets = readdirSync(outdir).filter(
    (entry) => entry.startsWith('asset.') && existsSync(join(outdir, entry, 'index.mjs')),
  );
  const unzipped = assets.filter((entry) => !existsSync(join(outdir, `${entry}.zip`)));
  if (unzipped.length > 0) {
    const run = spawnSync('python3', ['-c', ZIP_ASSETS, ...unzipped.map((e) => join(outdir, e))], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (run.status !== 0) throw new Error(`zipping the assets failed: ${run.stderr || run.error?.message}`);
  }
  return new Map(assets.map((entry) => [entry.slice('asset.'.length), join(outdir, `${entry}.zip`)]));
}

export const motoClientConfig = (endpoint: string) => ({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  forcePathStyle: true,
});

export interface DeployedStack {
  outputs: Record<string, string>;
  /** Physical id by logical id, for every resource moto created. */
  physicalIds: Record<string, string>;
  /** The physical ids of every resource of a type moto created. */
  physicalIdsOf: (type: string) => string[];
  /** The resource types moto's CloudFormation created, and those the test created with the SDK. */
  provisionedByMoto: string[];
  createdByTest: string[];
}

/**
 * Deploys the synthesized stack into moto as `cdk deploy` would, with moto's copy of the template: the assets
 * zipped into the bootstrap bucket, the bootstrap version parameter, CreateStack; then what moto cannot create,
 * with the SDK. `functionUrls` are the URLs the test serves for the template's function URLs, by logical id.
 */
export async function deployStack(
  endpoint: string,
  synthesized: Synthesized,
  functionUrls: Record<string, string>,
): Promise<DeployedStack> {
  const config = motoClientConfig(endpoint);
  const s3 = new S3Client(config);
  await s3.send(new CreateBucketCommand({ Bucket: ASSETS_BUCKET }));
  for (const [hash, zip] of zipAssets(synthesized.outdir))
    await s3.send(
      new PutObjectCommand({ Bucket: ASSETS_BUCKET, Key: `${hash}.zip`, Body: readFileSync(zip) }),
    );
  await new SSMClient(config).send(
    new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String' }),
  );
  const refs: Record<string, string> = {};
  const secrets = new SecretsManagerClient(config);
  for (const [id, resource] of Object.entries(synthesized.template.Resources)) {
    if (resource.Type === 'AWS::SecretsManager::Secret') {
      const { ARN } = await secrets.send(
        new CreateSecretCommand({ Name: `${STACK_NAME}-${id}`, SecretString: `generated-for-${id}` }),
      );
      refs[id] = ARN ?? '';
    }
    if (resource.Type === 'AWS::Lambda::Url') {
      const url = functionUrls[id];
      if (!url) throw new Error(`no URL served for the function URL ${id}`);
      refs[`${id}.FunctionUrl`] = url;
    }
  }
  const copy = motoCopyOf(synthesized.template, { refs });
  const cloudFormation = new CloudFormationClient(config);
  await cloudFormation.send(
    new CreateStackCommand({
      StackName: STACK_NAME,
      TemplateBody: JSON.stringify(copy.template),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: STACK_NAME }));
  const stack = Stacks?.[0];
  if (stack?.StackStatus !== 'CREATE_COMPLETE')
    throw new Error(`CreateStack in moto ended ${stack?.StackStatus}: ${stack?.StackStatusReason ?? ''}`);
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
  const { StackResources = [] } = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: STACK_NAME }),
  );
  const physicalIds = Object.fromEntries(
    StackResources.map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']),
  );
  for (const resource of copy.takenOut)
    await createWithSdk(config, resource, resolvedProperties(resource, copy.tokens, outputs));
  await completeBuckets(config, synthesized.template, physicalIds);
  return {
    outputs,
    physicalIds,
    physicalIdsOf: (type) =>
      StackResources.filter((r) => r.ResourceType === type).map((r) => r.PhysicalResourceId ?? ''),
    provisionedByMoto: [...new Set(StackResources.map((r) => r.ResourceType ?? ''))].sort(),
    createdByTest: [...new Set(copy.takenOut.map((r) => r.type))].sort(),
  };
}

type Props = Record<string, unknown>;
const str = (value: unknown) => String(value);
const lastOf = (arn: unknown) => String(arn).split(':').at(-1) ?? '';

/** One SDK call per taken-out resource, with CloudFormation's properties as the API names them. */
async function createWithSdk(config: ReturnType<typeof motoClientConfig>, resource: TakenOut, p: Props) {
  switch (resource.type) {
    case 'AWS::SecretsManager::Secret':
      return; // created before the stack (its ARN is in the functions' environment)
    case 'AWS::Lambda::Url':
      await new LambdaClient(config).send(
        new CreateFunctionUrlConfigCommand({
          FunctionName: lastOf(p.TargetFunctionArn),
          AuthType: p.AuthType as never,
        }),
      );
      return;
    case 'AWS::EC2::FlowLog':
      await new EC2Client(config).send(
        new CreateFlowLogsCommand({
          ResourceIds: [str(p.ResourceId)],
          ResourceType: p.ResourceType as never,
          TrafficType: p.TrafficType as never,
          LogDestinationType: p.LogDestinationType as never,
          LogDestination: str(p.LogDestination),
          TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: p.Tags as never }],
        }),
      );
      return;
    case 'AWS::S3::BucketPolicy':
      await new S3Client(config).send(
        new PutBucketPolicyCommand({ Bucket: str(p.Bucket), Policy: JSON.stringify(p.PolicyDocument) }),
      );
      return;
    case 'AWS::SQS::QueuePolicy':
      for (const queue of p.Queues as string[])
        await new SQSClient(config).send(
          new SetQueueAttributesCommand({
            QueueUrl: queue,
            Attributes: { Policy: JSON.stringify(p.PolicyDocument) },
          }),
        );
      return;
    case 'AWS::EC2::SecurityGroupEgress':
      await new EC2Client(config).send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: str(p.GroupId),
          IpPermissions: [
            {
              IpProtocol: str(p.IpProtocol),
              FromPort: Number(p.FromPort),
              ToPort: Number(p.ToPort),
              UserIdGroupPairs: [
                { GroupId: str(p.DestinationSecurityGroupId), Description: str(p.Description) },
              ],
            },
          ],
        }),
      );
      return;
    case 'AWS::Lambda::EventInvokeConfig':
      await new LambdaClient(config).send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: str(p.FunctionName),
          Qualifier: str(p.Qualifier),
          MaximumRetryAttempts: Number(p.MaximumRetryAttempts),
          ...(p.MaximumEventAgeInSeconds
            ? { MaximumEventAgeInSeconds: Number(p.MaximumEventAgeInSeconds) }
            : {}),
          ...(p.DestinationConfig ? { DestinationConfig: p.DestinationConfig as never } : {}),
        }),
      );
      return;
    case 'AWS::Scheduler::Schedule':
      await new SchedulerClient(config).send(
        new CreateScheduleCommand({
          Name: resource.logicalId.slice(0, 64),
          Description: str(p.Description),
          ScheduleExpression: str(p.ScheduleExpression),
          ScheduleExpressionTimezone: str(p.ScheduleExpressionTimezone),
          FlexibleTimeWindow: p.FlexibleTimeWindow as never,
          State: p.State as never,
          Target: p.Target as never,
        }),
      );
      return;
    default:
      throw new Error(`${resource.logicalId}: no SDK call for ${resource.type}`);
  }
}

/**
 * moto's CloudFormation creates a bucket with its encryption and tags only (moto/s3/models.py:1549-1561): the
 * properties bakeshift relies on are applied with the SDK (versioning: uploads carry a version id; EventBridge
 * notifications: uploads start deployments; public access block and ownership). Its lifecycle rules and access
 * logging are not applied: nothing in a run of minutes depends on them.
 */
async function completeBuckets(
  config: ReturnType<typeof motoClientConfig>,
  template: Template,
  physicalIds: Record<string, string>,
): Promise<void> {
  const s3 = new S3Client(config);
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const p = (resource.Properties ?? {}) as Props & {
      VersioningConfiguration?: { Status: 'Enabled' | 'Suspended' };
      NotificationConfiguration?: { EventBridgeConfiguration?: { EventBridgeEnabled?: boolean } };
      PublicAccessBlockConfiguration?: Record<string, boolean>;
      OwnershipControls?: { Rules: { ObjectOwnership: string }[] };
    };
    const Bucket = physicalIds[id] ?? '';
    if (p.VersioningConfiguration)
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket,
          VersioningConfiguration: { Status: p.VersioningConfiguration.Status },
        }),
      );
    if (p.NotificationConfiguration?.EventBridgeConfiguration)
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket,
          NotificationConfiguration: { EventBridgeConfiguration: {} },
        }),
      );
    if (p.PublicAccessBlockConfiguration)
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: p.PublicAccessBlockConfiguration,
        }),
      );
    if (p.OwnershipControls)
      await s3.send(
        new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: p.OwnershipControls as never }),
      );
  }
}
