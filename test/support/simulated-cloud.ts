import { createHash } from 'node:crypto';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DetachTrafficSourcesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  type Action,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyTargetGroupCommand,
  type Rule,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { invokingFunction } from './invoking-function.js';
import { type PagedOperation, pageOf } from './simulated-paging.js';

type Tags = { Key?: string; Value?: string }[];
// biome-ignore lint/suspicious/noExplicitAny: the simulation accepts each command's own input shape.
type AnyInput = any;
interface Stub {
  on(command: unknown): { callsFake(fn: (input: AnyInput) => unknown): unknown };
  restore(): void;
}

interface SimInstance {
  id: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  imageId: string;
  tags: Tags;
  userData?: string;
  role: 'builder' | 'fleet';
  steps: number;
  launchedAt: Date;
  /** The function that launched it: the signer of the presigned URLs its user data holds. */
  launchedBy?: string | undefined;
  /** What the instance wrote to its serial console (GetConsoleOutput). */
  console?: string;
}
interface SimImage {
  id: string;
  state: 'pending' | 'available' | 'failed';
  tags: Tags;
  name: string;
  snapshotIds: string[];
  created: string;
  steps: number;
}
interface SimGroup {
  name: string;
  min: number;
  max: number;
  desired: number;
  targetGroupArns: string[];
  tags: Tags;
  launchTemplate: { name: string; version: number };
  instances: string[];
  deleting: boolean;
  createdAt: Date;
}
interface SimTarget {
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining';
  steps: number;
  imageId: string;
  /** A draining target is gone at the next step, unless a test holds it until then (ms since the epoch). */
  drainingUntil?: number;
}

/** One API call as the cloud saw it: who made it (the Lambda function), what it asked and what it was answered. */
/** An API error the cloud answers a command with: after `skip` calls pass, `times` calls fail. */
export interface CloudFault {
  command: string;
  error: string;
  times: number;
  skip: number;
  /** AWS's wording is not part of its API: tests vary it to show nothing depends on it. */
  message: string;
}

export interface SimCall {
  service: string;
  name: string;
  input: AnyInput;
  /** The Lambda function whose code made the call; undefined for calls a test makes itself. */
  functionName: string | undefined;
  output?: unknown;
  error?: string;
  /** The tags of the existing resources the call names, as they were when it was made (IAM's aws:ResourceTag). */
  resourceTags?: Record<string, Tags>;
  /** For calls through a presigned URL: made by whoever holds the URL, authorized as its signer. */
  presigned?: boolean;
  /** DeregisterImage: the image's snapshots, which DeleteAssociatedSnapshots deletes too. */
  snapshotsOfImage?: string[];
  /** CreateAutoScalingGroup: the launch template data Auto Scaling launches with, on the caller's behalf. */
  launchTemplateData?: AnyInput;
}

export type SimEvent = {
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown>;
};

/** The error each service answers when its request rate is exceeded. */
const THROTTLED: Record<string, string> = {
  ec2: 'RequestLimitExceeded',
  autoscaling: 'Throttling',
  elasticloadbalancing: 'Throttling',
  ssm: 'ThrottlingException',
  s3: 'SlowDown',
  states: 'ThrottlingException',
};

/** Names of SDK errors the simulation throws, as AWS services name them. */
function awsError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * A simulated AWS cloud for tests (named as a simulation: nothing here talks to AWS). It keeps instances, images,
 * snapshots, launch templates, Auto Scaling groups, target groups, target health, listeners, SSM parameters and
 * S3 objects in memory, answers the SDK commands the adapters send through aws-sdk-client-mock, and moves state
 * on with every call (instances pending → running → stopped, images pending → available, targets initial →
 * healthy). Builders "run" their user data by reporting through the presigned result URL found in it.
 */
/** An execution the simulation runs: what DescribeExecution and GetExecutionHistory answer for it. */
export interface SimExecutionRun {
  status(): 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  history(): HistoryEvent[];
}

/** Marks a middleware stack whose calls are recorded already. */
const RECORDED = Symbol('recorded by the simulated cloud');

export class SimulatedCloud {
  readonly instances = new Map<string, SimInstance>();
  readonly images = new Map<string, SimImage>();
  readonly snapshots = new Set<string>();
  readonly snapshotTags = new Map<string, Tags>();
  /** Snapshots of just-deregistered images: how many more DeleteSnapshot calls answer InvalidSnapshot.InUse. */
  private readonly snapshotsInUse = new Map<string, number>();
  readonly launchTemplates = new Map<
    string,
    {
      versions: Map<number, unknown>;
      descriptions: Map<number, string>;
      next: number;
      tokens: Map<string, number>;
    }
  >();
  readonly groups = new Map<string, SimGroup>();
  readonly targetGroups = new Map<
    string,
    { targets: Map<string, SimTarget>; deregistrationDelay: number; healthCheckPath: string }
  >();
  /**
   * Presigned URLs signed with temporary credentials die with them (S3 user guide, "Sharing objects with
   * presigned URLs"): when set, a builder's report PUT fails and only its console output carries the report.
   */
  presignedUrlsExpired = false;
  /** CreateImage ends in the `failed` state (as it does, e.g., when a snapshot cannot be taken). */
  imagesFail = false;
  /** CreateImage takes its time (minutes on AWS): while set, images stay `pending`. */
  imagesStayPending = false;
  /**
   * EventBridge delivers EC2's and S3's events on a best-effort basis (EventBridge user guide): when set, none
   * arrive, and only the Bake Task's own re-check moves a bake on.
   */
  dropEvents = false;
  /** The health path builders report (their manifest's healthPath). */
  builderHealthPath = '/health';
  /** When set, the report's body exactly as a builder PUTs it and prints it (e.g. one a bake command forged). */
  builderReportBody: string | undefined;
  readonly listeners = new Map<string, Action[]>();
  /** Rules added by hand to a listener, in priority order; DescribeRules answers them before the default rule. */
  readonly listenerRules = new Map<string, Rule[]>();
  /** Page sizes below AWS's, by command, where a test wants a read that stops at one page to show. */
  readonly pageSizes: Partial<Record<string, number>> = {};
  readonly listenerTags = new Map<string, Tags>();
  readonly launchTemplateTags = new Map<string, Tags>();
  readonly parameters = new Map<string, string>();
  /** Entries put on EventBridge. */
  readonly events: unknown[] = [];
  /** Secrets Manager: secret ARN → its string. */
  readonly secrets = new Map<string, string>();
  /** Where SendTaskSuccess / SendTaskFailure go: the engine running the executions. */
  onTaskResult: (
    token: string,
    result: { output?: unknown; error?: string; cause?: string },
  ) => Promise<void> = async () => {
    throw awsError('TaskDoesNotExist', 'no execution is waiting on that token');
  };
  /** Step Functions executions by name. */
  readonly executions = new Map<
    string,
    { input: string; startDate: Date; status: 'RUNNING' | 'SUCCEEDED' }
  >();
  readonly objects = new Map<string, string>();
  /**
   * Runs an execution StartExecution created (the flow tests' engine over the real ASL): its status and history
   * answer DescribeExecution and GetExecutionHistory. Unset, executions are only recorded.
   */
  runExecution: ((name: string, input: string) => SimExecutionRun) | undefined;
  private readonly runs = new Map<string, SimExecutionRun>();
  /** CloudWatch Logs: log group → its events, oldest first. */
  readonly logEvents = new Map<string, { timestamp: number; message: string; logStreamName: string }[]>();
  /** CloudWatch alarms by name → state (OK, ALARM, INSUFFICIENT_DATA). */
  readonly alarms = new Map<string, string>();
  /**
   * What CloudWatch holds for an ALB metric, per minute: key `<dimension> <metric name>` (the TargetGroup
   * dimension `targetgroup/<name>/<id>`, or the LoadBalancer one `app/<name>/<id>` for a load-balancer metric;
   * `TargetResponseTime TC` for the trimmed count of slow requests); none when unset (no traffic, no
   * datapoints). `metricsPerMinute`, when set, answers instead, minute by minute (ms since the epoch; NaN for
   * a datapoint not there).
   */
  readonly targetGroupMetrics = new Map<string, number>();
  metricsPerMinute: ((key: string, minute: number) => number | undefined) | undefined;
  /**
   * ALB metrics are published late (ELB user guide: reported in 60-second intervals): a minute's datapoint is
   * visible only this long after the minute ends.
   */
  metricsPublishDelaySeconds = 0;
  /** Lambda functions Invoke reaches, by name: each returns its result or throws its error. */
  readonly functions = new Map<string, (payload: unknown) => Promise<unknown>>();
  /** Every command sent, by name, in order, with its input, its answer and the function that sent it. */
  readonly calls: SimCall[] = [];
  builder: 'succeed' | 'fail' | 'hang' = 'succeed';
  /** How many steps (calls and 5 ms ticks) a builder takes to bake and report. */
  builderSteps = 3;
  /** Instances from these images never pass their health checks. */
  readonly unhealthyImages = new Set<string>();
  /**
   * What the app of an image prints on each of its instances, as the CloudWatch agent ships it: FilterLogEvents
   * on a stream named after such an instance answers these lines (in any group, the one its user data names).
   */
  readonly appOutputOfImage = new Map<string, string[]>();
  onEvent: (event: SimEvent) => void = () => undefined;
  /** The time events carry (the world's clock, where the flows keep fake time). */
  now: () => Date = () => new Date();
  private readonly faults: CloudFault[] = [];
  private throttling: { period: number; burst: number; seen: number } | undefined;
  private readonly clientTokens = new Map<string, { id: string; parameters: string }>();
  /**
   * EC2's eventual consistency (EC2 API reference, "Eventual consistency"): a new instance or image stays
   * invisible to this many Describe calls after its creation.
   */
  visibilityDelay = 0;
  /**
   * At most this many items in any paginated answer (and DynamoDB Query stops after this many), where a test
   * makes pages tiny so that a caller reading only the first page fails. AWS documents that a page may hold
   * fewer items than asked for even when more remain; unset, pages are AWS's documented sizes (ADR 36,
   * simulated-paging.ts).
   */
  pageLimit: number | undefined;
  private readonly hidden = new Map<string, number>();
  private readonly mocks: Stub[] = [];
  private readonly restorers: (() => void)[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private sequence = 0;

  /**
   * Bursts of throttling, as an account's API rate limits give (EC2 API reference, "Request throttling";
   * Auto Scaling, Elastic Load Balancing and SSM answer Throttling / ThrottlingException, S3 SlowDown): of
   * every `period` calls, whatever the command, the first `burst` fail.
   */
  throttleBursts(period: number, burst: number) {
    this.throttling = { period, burst, seen: 0 };
  }

  /**
   * Fails `command` with `error` `times` times, after letting its first `skip` calls through (to fail the
   * n-th call, skip n-1). Returns the fault, whose `times` says whether it was spent.
   */
  fail(
    command: string,
    error: string,
    times = Number.POSITIVE_INFINITY,
    skip = 0,
    message = `simulated ${error} on ${command}`,
  ): CloudFault {
    const fault = { command, error, times, skip, message };
    this.faults.push(fault);
    return fault;
  }

  /** Throws the error of a fault set on this command, once its skipped calls have passed. */
  private injectFault(command: string) {
    const fault = this.faults.find((f) => f.command === command && f.times > 0);
    if (!fault) return;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return;
    }
    fault.times -= 1;
    throw Object.assign(awsError(fault.error, fault.message), {
      $metadata: { httpStatusCode: 400 },
    });
  }

  clearFaults() {
    this.faults.length = 0;
  }

  addTargetGroup(arn: string, deregistrationDelay = 30) {
    // The CDK app creates target groups with the environment's configured path, or /health.
    this.targetGroups.set(arn, { targets: new Map(), deregistrationDelay, healthCheckPath: '/health' });
  }

  /** A listener as the CDK app creates it: untagged (its functions may modify it by its ARN). */
  addListener(arn: string, actions: Action[], tags: Tags = []) {
    this.listeners.set(arn, actions);
    this.listenerTags.set(arn, tags);
  }

  /**
   * Records the calls of a real client (e.g. DynamoDB on dynalite) alongside the simulated ones, with the
   * function that made them.
   */
  record(client: { middlewareStack: { add: (...args: never[]) => void } }, service: string) {
    const stack = client.middlewareStack as { add: (...args: never[]) => void; [RECORDED]?: boolean };
    if (stack[RECORDED]) return;
    stack[RECORDED] = true;
    const middleware =
      (
        next: (args: { input: AnyInput }) => Promise<{ output: unknown }>,
        context: { commandName?: string },
      ) =>
      async (args: { input: AnyInput }) => {
        const call: SimCall = {
          service,
          name: (context.commandName ?? '?').replace(/Command$/, ''),
          input: structuredClone(args.input),
          functionName: invokingFunction(),
        };
        this.calls.push(call);
        try {
          // Its answer is a real service's (e.g. dynalite), not the simulation's: only the request is kept.
          return await next(args);
        } catch (error) {
          call.error = (error as Error).name;
          throw error;
        }
      };
    client.middlewareStack.add(
      middleware as never,
      { step: 'build', name: 'simulatedCloudRecorder' } as never,
    );
    // DynamoDB API reference, Query and Scan, Limit: a page stops at 1 MB of data, with LastEvaluatedKey, before
    // Limit items if need be. With pageLimit set, a page stops after that many items, as on a larger table.
    const pages =
      (next: (args: { input: AnyInput }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: AnyInput }) => {
        const name = (context.commandName ?? '').replace(/Command$/, '');
        if (this.pageLimit === undefined || (name !== 'Query' && name !== 'Scan')) return next(args);
        const Limit = Math.min(args.input?.Limit ?? Number.POSITIVE_INFINITY, this.pageLimit);
        return next({ ...args, input: { ...args.input, Limit } });
      };
    client.middlewareStack.add(pages as never, { step: 'initialize', name: 'simulatedCloudPages' } as never);
    // Faults are answered inside the SDK's retry loop (finalizeRequest wraps deserialize), as a service's are.
    const faults =
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        this.injectFault((context.commandName ?? '?').replace(/Command$/, ''));
        return next(args);
      };
    client.middlewareStack.add(
      faults as never,
      { step: 'deserialize', name: 'simulatedCloudFaults' } as never,
    );
  }

  addImage(id: string, tags: Tags = []) {
    this.images.set(id, {
      id,
      state: 'available',
      tags,
      name: id,
      snapshotIds: [],
      created: new Date(0).toISOString(),
      steps: 0,
    });
  }

  /**
   * Records the calls of every DynamoDB document client that sends from now on (e.g. those the operator's CLI
   * makes for itself), alongside the simulated ones, until `detach`.
   */
  recordEveryDynamoDbClient(): this {
    const prototype = DynamoDBDocumentClient.prototype as unknown as {
      send: (...args: unknown[]) => unknown;
    };
    const original = prototype.send;
    const cloud = this;
    prototype.send = function (this: Parameters<SimulatedCloud['record']>[0], ...args: unknown[]) {
      cloud.record(this, 'dynamodb');
      return original.apply(this, args);
    };
    this.restorers.push(() => {
      prototype.send = original;
    });
    return this;
  }

  /** Routes the SDK clients' commands to this simulation until `detach`. */
  attach(): this {
    const [ec2, asg, elb, ssm, s3, sfn, events, secrets, logs, lambda, cloudWatch] = [
      EC2Client,
      AutoScalingClient,
      ElasticLoadBalancingV2Client,
      SSMClient,
      S3Client,
      SFNClient,
      EventBridgeClient,
      SecretsManagerClient,
      CloudWatchLogsClient,
      LambdaClient,
      CloudWatchClient,
    ].map((client) => mockClient(client as never) as unknown as Stub) as Stub[] as [
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
      Stub,
    ];
    this.mocks.push(ec2, asg, elb, ssm, s3, sfn, events, secrets, logs, lambda, cloudWatch);
    const service = new Map<Stub, string>([
      [ec2, 'ec2'],
      [asg, 'autoscaling'],
      [elb, 'elasticloadbalancing'],
      [ssm, 'ssm'],
      [s3, 's3'],
      [sfn, 'states'],
      [events, 'events'],
      [secrets, 'secretsmanager'],
      [logs, 'logs'],
      [lambda, 'lambda'],
      [cloudWatch, 'cloudwatch'],
    ]);
    const route = (stub: Stub, command: unknown, name: string, handle: (input: AnyInput) => unknown) => {
      stub.on(command).callsFake(async (input: AnyInput) => {
        const call: SimCall = {
          service: service.get(stub) ?? '?',
          name,
          input: structuredClone(input),
          functionName: invokingFunction(),
        };
        call.resourceTags = this.tagsOfResourcesIn(input);
        if (name === 'CreateAutoScalingGroup') call.launchTemplateData = this.launchTemplateDataOf(input);
        if (name === 'DeregisterImage')
          call.snapshotsOfImage = [...(this.images.get(input?.ImageId)?.snapshotIds ?? [])];
        this.calls.push(call);
        this.step();
        try {
          if (this.throttling && this.throttling.seen++ % this.throttling.period < this.throttling.burst)
            throw awsError(THROTTLED[call.service] ?? 'Throttling', `simulated throttling of ${name}`);
          this.injectFault(name);
          call.output = await handle(input);
          return call.output;
        } catch (error) {
          call.error = (error as Error).name;
          throw error;
        }
      });
    };
    route(ec2, RunInstancesCommand, 'RunInstances', (i) => this.runInstances(i));
    route(ec2, DescribeInstancesCommand, 'DescribeInstances', (i) => this.describeInstances(i));
    route(ec2, GetConsoleOutputCommand, 'GetConsoleOutput', (i) => {
      const instance = this.instances.get((i as { InstanceId: string }).InstanceId);
      if (!instance) throw awsError('InvalidInstanceID.NotFound');
      return {
        InstanceId: instance.id,
        Timestamp: new Date(),
        ...(instance.console ? { Output: Buffer.from(instance.console).toString('base64') } : {}),
      };
    });
    route(ec2, TerminateInstancesCommand, 'TerminateInstances', (i) => this.terminateInstances(i));
    route(ec2, CreateImageCommand, 'CreateImage', (i) => this.createImage(i));
    route(ec2, DescribeImagesCommand, 'DescribeImages', (i) => this.describeImages(i));
    route(ec2, DeregisterImageCommand, 'DeregisterImage', (i) => this.deregisterImage(i));
    route(ec2, DeleteSnapshotCommand, 'DeleteSnapshot', (i) => this.deleteSnapshot(i));
    route(ec2, CreateLaunchTemplateCommand, 'CreateLaunchTemplate', (i) => this.createLaunchTemplate(i));
    route(ec2, CreateLaunchTemplateVersionCommand, 'CreateLaunchTemplateVersion', (i) =>
      this.createLaunchTemplateVersion(i),
    );
    route(ec2, DescribeLaunchTemplateVersionsCommand, 'DescribeLaunchTemplateVersions', (i) =>
      this.describeLaunchTemplateVersions(i),
    );
    route(ec2, DeleteLaunchTemplateVersionsCommand, 'DeleteLaunchTemplateVersions', (i) =>
      this.deleteLaunchTemplateVersions(i),
    );
    route(asg, CreateAutoScalingGroupCommand, 'CreateAutoScalingGroup', (i) => this.createGroup(i));
    route(asg, DescribeAutoScalingGroupsCommand, 'DescribeAutoScalingGroups', (i) => this.describeGroups(i));
    route(asg, DeleteAutoScalingGroupCommand, 'DeleteAutoScalingGroup', (i) => this.deleteGroup(i));
    route(asg, DetachTrafficSourcesCommand, 'DetachTrafficSources', (i) => this.detachTrafficSources(i));
    route(asg, UpdateAutoScalingGroupCommand, 'UpdateAutoScalingGroup', () => ({}));
    route(elb, DescribeListenersCommand, 'DescribeListeners', (i) => this.describeListeners(i));
    route(elb, DescribeRulesCommand, 'DescribeRules', (i) => this.describeRules(i));
    route(elb, ModifyListenerCommand, 'ModifyListener', (i) => this.modifyListener(i));
    route(elb, ModifyTargetGroupCommand, 'ModifyTargetGroup', (i) => this.modifyTargetGroup(i));
    route(elb, DescribeTargetHealthCommand, 'DescribeTargetHealth', (i) => this.describeTargetHealth(i));
    route(elb, DescribeTargetGroupAttributesCommand, 'DescribeTargetGroupAttributes', (i) => ({
      Attributes: [
        {
          Key: 'deregistration_delay.timeout_seconds',
          Value: String(
            this.targetGroups.get((i as { TargetGroupArn: string }).TargetGroupArn)?.deregistrationDelay ??
              300,
          ),
        },
      ],
    }));
    route(ssm, GetParameterCommand, 'GetParameter', (i) => {
      const value = this.parameters.get((i as { Name: string }).Name);
      if (value === undefined) throw awsError('ParameterNotFound');
      return { Parameter: { Name: (i as { Name: string }).Name, Value: value } };
    });
    route(s3, GetObjectCommand, 'GetObject', (i) => {
      const { Bucket, Key } = i as { Bucket: string; Key: string };
      const body = this.objects.get(`${Bucket}/${Key}`);
      if (body === undefined) throw awsError('NoSuchKey');
      // What the adapters read of a GetObject body.
      return { Body: { transformToString: async () => body } };
    });
    route(s3, PutObjectCommand, 'PutObject', (i) => this.putObject(i));
    route(sfn, StartExecutionCommand, 'StartExecution', (i) => this.startExecution(i));
    route(sfn, DescribeExecutionCommand, 'DescribeExecution', (i) => this.describeExecution(i));
    route(sfn, GetExecutionHistoryCommand, 'GetExecutionHistory', (i) => this.executionHistory(i));
    route(logs, FilterLogEventsCommand, 'FilterLogEvents', (i) => this.filterLogEvents(i));
    route(lambda, InvokeCommand, 'Invoke', (i) => this.invoke(i));
    route(cloudWatch, GetMetricDataCommand, 'GetMetricData', (i) => this.metricData(i));
    route(cloudWatch, DescribeAlarmsCommand, 'DescribeAlarms', (i) => this.describeAlarms(i));
    route(sfn, SendTaskSuccessCommand, 'SendTaskSuccess', async (i) => {
      await this.onTaskResult(i.taskToken, { output: JSON.parse(i.output) });
      return {};
    });
    route(sfn, SendTaskFailureCommand, 'SendTaskFailure', async (i) => {
      await this.onTaskResult(i.taskToken, { error: i.error, cause: i.cause });
      return {};
    });
    route(events, PutEventsCommand, 'PutEvents', (i: { Entries: unknown[] }) => {
      this.events.push(...i.Entries);
      return { FailedEntryCount: 0, Entries: i.Entries.map(() => ({ EventId: this.id('event') })) };
    });
    route(secrets, GetSecretValueCommand, 'GetSecretValue', (i: { SecretId: string }) => {
      const value = this.secrets.get(i.SecretId);
      if (value === undefined)
        throw awsError('ResourceNotFoundException', "Secrets Manager can't find the secret");
      // A version id is a UUID (32 to 64 characters in AWS's model), the same while the value is.
      const versionId = createHash('sha256')
        .update(`${i.SecretId}\n${value}`)
        .digest('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
      return {
        ARN: i.SecretId,
        Name: i.SecretId.split(':').at(-1),
        SecretString: value,
        VersionId: versionId,
        VersionStages: ['AWSCURRENT'],
      };
    });
    // Time passes for instances and images even when nobody calls: events arrive as they would on AWS.
    this.ticker = setInterval(() => this.step(), 5);
    this.ticker.unref();
    return this;
  }

  detach() {
    clearInterval(this.ticker);
    for (const mock of this.mocks.splice(0)) mock.restore();
    for (const restore of this.restorers.splice(0)) restore();
  }

  /** The inputs of every call of one command. */
  inputsOf(name: string): AnyInput[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input);
  }

  liveInstances(role?: 'builder' | 'fleet') {
    return [...this.instances.values()].filter((i) => i.state !== 'terminated' && (!role || i.role === role));
  }

  forwardWeights(listenerArn: string): Record<string, number> {
    const action = this.listeners.get(listenerArn)?.find((a) => a.Type === 'forward');
    const groups =
      action?.ForwardConfig?.TargetGroups ??
      (action?.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : []);
    return Object.fromEntries(
      groups.filter((g) => (g.Weight ?? 1) > 0).map((g) => [g.TargetGroupArn ?? '', g.Weight ?? 1]),
    );
  }

  /** One page of a paginated answer (simulated-paging.ts). */
  private page<T>(
    operation: PagedOperation,
    items: readonly T[],
    request: { token?: string | undefined; size?: number | undefined },
  ) {
    return pageOf(operation, items, request, this.pageLimit);
  }

  private id(prefix: string) {
    return `${prefix}-${(++this.sequence).toString(16).padStart(8, '0')}`;
  }

  /**
   * Time passes (on every call and every tick): instances and images move at most one step on. Targets move
   * with their group's health checks (see describeTargetHealth), so how long green takes to become healthy is
   * counted in checks, the same for any fleet size.
   */
  private step() {
    for (const instance of this.instances.values()) {
      instance.steps += 1;
      if (instance.state === 'pending') instance.state = 'running';
      else if (instance.state === 'shutting-down') instance.state = 'terminated';
      else if (
        instance.role === 'builder' &&
        instance.state === 'running' &&
        instance.steps >= this.builderSteps &&
        this.builder !== 'hang'
      )
        this.builderReports(instance);
    }
    for (const image of this.images.values()) {
      image.steps += 1;
      if (image.state === 'pending' && image.steps >= 2 && !this.imagesStayPending) {
        image.state = this.imagesFail ? 'failed' : 'available';
        this.emit('aws.ec2', 'EC2 AMI State Change', { ImageId: image.id, State: image.state });
      }
    }
    for (const group of this.targetGroups.values()) {
      for (const [id, target] of group.targets)
        if (target.state === 'draining' && (target.drainingUntil ?? 0) <= this.now().getTime())
          group.targets.delete(id);
    }
  }

  /** What the builder's user data does at its end: report through the presigned PUT, then power off. */
  private builderReports(instance: SimInstance) {
    const script = Buffer.from(instance.userData ?? '', 'base64').toString('utf8');
    const artifactUrl = /-o \/tmp\/artifact\.tgz '([^']+)'/.exec(script)?.[1];
    if (artifactUrl) this.presignedCall(instance, 'GetObject', artifactUrl);
    const url = /RESULT_URL='([^']+)'/.exec(script)?.[1];
    if (url) {
      const report =
        this.builder === 'succeed'
          ? { status: 'succeeded', healthPath: this.builderHealthPath, logTail: 'bake ok' }
          : { status: 'failed', logTail: 'npm ERR! code E404\nbake command exited with 1' };
      // The user data writes the report to the console, then PUTs it (see builder-user-data.ts).
      const body = this.builderReportBody ?? JSON.stringify(report);
      instance.console = `BAKESHIFT-REPORT ${Buffer.from(body).toString('base64')}\n`;
      if (!this.presignedUrlsExpired) {
        const { Bucket: bucket, Key: key } = this.presignedCall(instance, 'PutObject', url);
        this.objects.set(`${bucket}/${key}`, body);
        this.emit('aws.s3', 'Object Created', { bucket: { name: bucket }, object: { key } });
      }
    }
    instance.state = 'stopped';
    this.emit('aws.ec2', 'EC2 Instance State-change Notification', {
      'instance-id': instance.id,
      state: 'stopped',
    });
  }

  /** A request the builder makes through a presigned URL: authorized as the function that signed it. */
  private presignedCall(instance: SimInstance, name: string, url: string) {
    const parsed = new URL(url);
    const versionId = parsed.searchParams.get('versionId');
    const input = {
      Bucket: parsed.hostname.split('.')[0] ?? '',
      Key: decodeURIComponent(parsed.pathname.slice(1)),
      ...(versionId ? { VersionId: versionId } : {}),
    };
    this.calls.push({ service: 's3', name, input, functionName: instance.launchedBy, presigned: true });
    return input;
  }

  /** The tags of every existing resource a request names, keyed by its id (name or ARN). */
  private tagsOfResourcesIn(input: AnyInput): Record<string, Tags> {
    const found: Record<string, Tags> = {};
    const ids = (value: unknown): string[] =>
      (Array.isArray(value) ? value : value ? [value] : []).map(String);
    for (const id of ids(input?.InstanceIds).concat(ids(input?.InstanceId)))
      if (this.instances.has(id)) found[id] = this.instances.get(id)?.tags ?? [];
    for (const id of ids(input?.ImageId))
      if (this.images.has(id)) found[id] = this.images.get(id)?.tags ?? [];
    for (const id of ids(input?.SnapshotId)) found[id] = this.snapshotTags.get(id) ?? [];
    for (const name of ids(input?.LaunchTemplateName))
      if (this.launchTemplateTags.has(name)) found[name] = this.launchTemplateTags.get(name) ?? [];
    for (const name of ids(input?.AutoScalingGroupName))
      if (this.groups.has(name)) found[name] = this.groups.get(name)?.tags ?? [];
    for (const arn of ids(input?.ListenerArn)) found[arn] = this.listenerTags.get(arn) ?? [];
    // The CDK app tags both target-group slots managed-by=bakeshift.
    for (const arn of ids(input?.TargetGroupArn))
      if (this.targetGroups.has(arn)) found[arn] = [{ Key: 'managed-by', Value: 'bakeshift' }];
    return found;
  }

  private launchTemplateDataOf(input: AnyInput): AnyInput {
    const template = input?.LaunchTemplate as { LaunchTemplateName?: string; Version?: string } | undefined;
    return this.launchTemplates
      .get(template?.LaunchTemplateName ?? '')
      ?.versions.get(Number(template?.Version));
  }

  /**
   * Step Functions API reference, StartExecution: names are unique per state machine for 90 days; while an
   * execution of that name is open, the same input returns it (its start date) and other input is
   * ExecutionAlreadyExists, as is any input once it has closed.
   */
  private startExecution(input: { stateMachineArn: string; name: string; input?: string }) {
    const executionArn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`;
    const existing = this.executions.get(input.name);
    if (existing && existing.status === 'RUNNING' && existing.input === (input.input ?? '{}'))
      return { executionArn, startDate: existing.startDate };
    if (existing) throw awsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const startDate = new Date();
    this.executions.set(input.name, { input: input.input ?? '{}', startDate, status: 'RUNNING' });
    const run = this.runExecution?.(input.name, input.input ?? '{}');
    if (run) this.runs.set(input.name, run);
    return { executionArn, startDate };
  }

  /**
   * S3 API reference, PutObject: answers the object's ETag (quoted, an MD5 for a single-part upload) and, in a
   * versioned bucket, its VersionId; S3 sends EventBridge an Object Created event (S3 user guide, "EventBridge
   * event message structure").
   */
  private putObject(input: { Bucket: string; Key: string; Body?: Uint8Array | string }) {
    const body = Buffer.from(input.Body ?? '');
    this.objects.set(`${input.Bucket}/${input.Key}`, body.toString('utf8'));
    const etag = createHash('md5').update(body).digest('hex');
    const versionId = this.id('version');
    this.emit('aws.s3', 'Object Created', {
      version: '0',
      bucket: { name: input.Bucket },
      object: { key: input.Key, size: body.length, etag, 'version-id': versionId, sequencer: '0' },
      'request-id': this.id('request'),
      requester: '123456789012',
      reason: 'PutObject',
    });
    return { ETag: `"${etag}"`, VersionId: versionId };
  }

  private runOf(executionArn: string): SimExecutionRun {
    const name = executionArn.split(':').at(-1) ?? '';
    const run = this.runs.get(name);
    if (!run) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return run;
  }

  private describeExecution(input: { executionArn: string }) {
    const run = this.runOf(input.executionArn);
    const execution = this.executions.get(input.executionArn.split(':').at(-1) ?? '');
    return {
      executionArn: input.executionArn,
      stateMachineArn: input.executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
      status: run.status(),
      startDate: execution?.startDate ?? new Date(),
      input: execution?.input ?? '{}',
    };
  }

  /** Step Functions API reference, GetExecutionHistory: pages of at most maxResults (default 100, max 1000). */
  private executionHistory(input: { executionArn: string; maxResults?: number; nextToken?: string }) {
    const history = this.runOf(input.executionArn).history();
    const { items, next } = this.page('GetExecutionHistory', history, {
      token: input.nextToken,
      size: input.maxResults,
    });
    return { events: items, ...(next ? { nextToken: next } : {}) };
  }

  /**
   * CloudWatch Logs API reference, FilterLogEvents: pages of at most `limit` events (default 10,000). An
   * instance's stream holds what its image's app printed (appOutputOfImage), as the agent would ship it.
   */
  private filterLogEvents(input: {
    logGroupName: string;
    logStreamNames?: string[];
    startTime?: number;
    limit?: number;
    nextToken?: string;
  }) {
    const shipped = (input.logStreamNames ?? []).flatMap((stream) =>
      (this.appOutputOfImage.get(this.instances.get(stream)?.imageId ?? '') ?? []).map((message) => ({
        timestamp: this.now().getTime(),
        message,
        logStreamName: stream,
      })),
    );
    const events = this.logEvents.get(input.logGroupName) ?? (shipped.length > 0 ? [] : undefined);
    if (!events) throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
    const from = [...events, ...shipped].filter(
      (e) =>
        e.timestamp >= (input.startTime ?? 0) &&
        (!input.logStreamNames || input.logStreamNames.includes(e.logStreamName)),
    );
    const { items, next } = this.page(
      'FilterLogEvents',
      from.map((e, i) => ({ ...e, eventId: String(i), ingestionTime: e.timestamp })),
      { token: input.nextToken, size: input.limit },
    );
    return { events: items, searchedLogStreams: [], ...(next ? { nextToken: next } : {}) };
  }

  /** ELB API reference, DescribeListeners: pages of PageSize, Marker in and NextMarker out. */
  private describeListeners(input: { ListenerArns?: string[]; PageSize?: number; Marker?: string }) {
    const { items, next } = this.page('DescribeListeners', input.ListenerArns ?? [...this.listeners.keys()], {
      token: input.Marker,
      size: input.PageSize,
    });
    return {
      Listeners: items.map((arn) => ({
        ListenerArn: arn,
        DefaultActions: structuredClone(this.listeners.get(arn) ?? []),
      })),
      ...(next ? { NextMarker: next } : {}),
    };
  }

  /** CloudWatch API reference, DescribeAlarms: the named alarms in a state, pages of MaxRecords (1 to 100). */
  private describeAlarms(input: {
    AlarmNames?: string[];
    StateValue?: string;
    MaxRecords?: number;
    NextToken?: string;
  }) {
    const { items, next } = this.page('DescribeAlarms', input.AlarmNames ?? [...this.alarms.keys()], {
      token: input.NextToken,
      size: input.MaxRecords,
    });
    return {
      MetricAlarms: items
        .filter((name) => !input.StateValue || this.alarms.get(name) === input.StateValue)
        .map((name) => ({ AlarmName: name, StateValue: this.alarms.get(name) ?? 'INSUFFICIENT_DATA' })),
      CompositeAlarms: [],
      ...(next ? { NextToken: next } : {}),
    };
  }

  /**
   * CloudWatch API reference, GetMetricData: one result per query, a datapoint per period that has published
   * data (Sum adds the minutes, p99 takes their largest, TC adds them), oldest first when ScanBy asks for it;
   * in pages of MaxDatapoints (default 100,800): a page holds as many queries as their datapoints allow.
   */
  private metricData(input: {
    MetricDataQueries: {
      Id: string;
      MetricStat?: {
        Metric?: { MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
        Period?: number;
        Stat?: string;
      };
    }[];
    StartTime: Date;
    EndTime: Date;
    ScanBy?: string;
    MaxDatapoints?: number;
    NextToken?: string;
  }) {
    const published = this.now().getTime() - this.metricsPublishDelaySeconds * 1000;
    const periods = (query: { MetricStat?: { Period?: number } }) =>
      Math.ceil(
        (new Date(input.EndTime).getTime() - new Date(input.StartTime).getTime()) /
          ((query.MetricStat?.Period ?? 60) * 1000),
      );
    const perQuery = Math.max(1, ...input.MetricDataQueries.map(periods));
    const { items, next } = this.page('GetMetricData', input.MetricDataQueries, {
      token: input.NextToken,
      size: Math.max(1, Math.floor((input.MaxDatapoints ?? 100_800) / perQuery)),
    });
    return {
      ...(next ? { NextToken: next } : {}),
      MetricDataResults: items.map((query) => {
        const metric = query.MetricStat?.Metric;
        const dimensions = metric?.Dimensions ?? [];
        const dimension =
          dimensions.find((d) => d.Name === 'TargetGroup')?.Value ??
          dimensions.find((d) => d.Name === 'LoadBalancer')?.Value ??
          '';
        const stat = query.MetricStat?.Stat ?? 'Sum';
        const key = `${dimension} ${metric?.MetricName}${stat.startsWith('TC(') ? ' TC' : ''}`;
        const periodMs = (query.MetricStat?.Period ?? 60) * 1000;
        const [timestamps, values] = [[] as Date[], [] as number[]];
        const end = new Date(input.EndTime).getTime();
        for (let t = new Date(input.StartTime).getTime(); t < end; t += periodMs) {
          const minutes: number[] = [];
          for (let m = t; m < Math.min(t + periodMs, end); m += 60_000) {
            const value = this.metricsPerMinute
              ? this.metricsPerMinute(key, m)
              : this.targetGroupMetrics.get(key);
            // NaN: a datapoint not there (yet).
            if (value !== undefined && !Number.isNaN(value) && m + 60_000 <= published) minutes.push(value);
          }
          if (minutes.length === 0) continue;
          timestamps.push(new Date(t));
          values.push(stat === 'p99' ? Math.max(...minutes) : minutes.reduce((a, b) => a + b, 0));
        }
        if (input.ScanBy !== 'TimestampAscending') {
          timestamps.reverse();
          values.reverse();
        }
        return {
          Id: query.Id,
          Label: metric?.MetricName,
          StatusCode: 'Complete',
          Timestamps: timestamps,
          Values: values,
        };
      }),
      Messages: [],
    };
  }

  /** Lambda API reference, Invoke: a function error is FunctionError "Unhandled" with the error as payload. */
  private async invoke(input: { FunctionName: string; Payload?: Uint8Array }) {
    const handler = this.functions.get(input.FunctionName);
    if (!handler) throw awsError('ResourceNotFoundException', `Function not found: ${input.FunctionName}`);
    const payload = JSON.parse(new TextDecoder().decode(input.Payload ?? new Uint8Array()) || 'null');
    try {
      const result = await handler(payload);
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(result ?? null)) };
    } catch (error) {
      const { name, message } = error as Error;
      const body = JSON.stringify({ errorType: name, errorMessage: message });
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(body) };
    }
  }

  private emit(source: string, detailType: string, detail: Record<string, unknown>) {
    const event = { source, 'detail-type': detailType, time: this.now().toISOString(), detail };
    if (!this.dropEvents) setImmediate(() => this.onEvent(event));
  }

  private runInstances(input: {
    ClientToken?: string;
    ImageId: string;
    TagSpecifications?: { ResourceType: string; Tags: Tags }[];
    UserData?: string;
  }) {
    // EC2 API reference, "Ensure idempotency": a token is at most 64 ASCII characters; the same token with
    // other parameters is IdempotentParameterMismatch.
    if (input.ClientToken && input.ClientToken.length > 64)
      throw awsError(
        'InvalidParameterValue',
        'Value for parameter clientToken is too long (at most 64 characters)',
      );
    const { ClientToken: _token, ...parameters } = input;
    const existing = input.ClientToken ? this.clientTokens.get(input.ClientToken) : undefined;
    if (existing && existing.parameters !== JSON.stringify(parameters))
      throw awsError('IdempotentParameterMismatch', 'the client token was used with other parameters');
    if (existing) return { Instances: [{ InstanceId: existing.id }] };
    if (!this.images.has(input.ImageId)) throw awsError('InvalidAMIID.NotFound');
    const tags = input.TagSpecifications?.find((t) => t.ResourceType === 'instance')?.Tags ?? [];
    const id = this.id('i');
    this.instances.set(id, {
      id,
      state: 'pending',
      launchedBy: invokingFunction(),
      launchedAt: new Date(),
      imageId: input.ImageId,
      tags,
      ...(input.UserData ? { userData: input.UserData } : {}),
      role: 'builder',
      steps: 0,
    });
    if (input.ClientToken)
      this.clientTokens.set(input.ClientToken, { id, parameters: JSON.stringify(parameters) });
    this.hideForAWhile(id);
    return { Instances: [{ InstanceId: id, State: { Name: 'pending' } }] };
  }

  private hideForAWhile(id: string) {
    if (this.visibilityDelay > 0) this.hidden.set(id, this.visibilityDelay);
  }

  /** Whether a Describe call sees a resource yet; each call that does not counts down. */
  private visible(id: string): boolean {
    const left = this.hidden.get(id) ?? 0;
    if (left <= 0) return true;
    this.hidden.set(id, left - 1);
    return false;
  }

  /**
   * EC2 API reference, DescribeInstances: InstanceIds and MaxResults cannot be used together; pages of
   * MaxResults (filters apply within a page, so a page can be short, even empty, with more to come).
   */
  private describeInstances(input: {
    InstanceIds?: string[];
    Filters?: { Name: string; Values: string[] }[];
    MaxResults?: number;
    NextToken?: string;
  }) {
    if (input.InstanceIds && input.MaxResults !== undefined)
      throw awsError(
        'InvalidParameterCombination',
        'The parameter instancesSet cannot be used with the parameter maxResults',
      );
    const unseen = (input.InstanceIds ?? []).filter((id) => this.instances.has(id) && !this.visible(id));
    if (unseen.length > 0)
      throw awsError('InvalidInstanceID.NotFound', `The instance IDs '${unseen.join(', ')}' do not exist`);
    const matches = (instance: SimInstance) =>
      (input.Filters ?? []).every((f) =>
        f.Name === 'instance-state-name'
          ? f.Values.includes(instance.state)
          : instance.tags.some((t) => `tag:${t.Key}` === f.Name && f.Values.includes(t.Value ?? '')),
      );
    const { items, next } = this.page('DescribeInstances', input.InstanceIds ?? [...this.instances.keys()], {
      token: input.NextToken,
      size: input.MaxResults,
    });
    const found = items.flatMap((id) => {
      const instance = this.instances.get(id);
      return instance && matches(instance)
        ? [
            {
              InstanceId: id,
              State: { Name: instance.state },
              Tags: instance.tags,
              ImageId: instance.imageId,
              LaunchTime: instance.launchedAt,
            },
          ]
        : [];
    });
    return { Reservations: found.length ? [{ Instances: found }] : [], ...(next ? { NextToken: next } : {}) };
  }

  private terminateInstances(input: { InstanceIds: string[] }) {
    for (const id of input.InstanceIds) {
      const instance = this.instances.get(id);
      if (!instance) throw awsError('InvalidInstanceID.NotFound');
      if (instance.state !== 'terminated') instance.state = 'shutting-down';
    }
    return {};
  }

  private createImage(input: {
    InstanceId: string;
    Name: string;
    TagSpecifications?: { ResourceType: string; Tags: Tags }[];
  }) {
    const instance = this.instances.get(input.InstanceId);
    if (instance?.state !== 'stopped') throw awsError('IncorrectState', 'the instance is not stopped');
    if ([...this.images.values()].some((i) => i.name === input.Name && i.state !== 'failed'))
      throw awsError('InvalidAMIName.Duplicate');
    const id = this.id('ami');
    const snapshot = this.id('snap');
    this.snapshots.add(snapshot);
    this.snapshotTags.set(
      snapshot,
      input.TagSpecifications?.find((t) => t.ResourceType === 'snapshot')?.Tags ?? [],
    );
    const tags = input.TagSpecifications?.find((t) => t.ResourceType === 'image')?.Tags ?? [];
    this.hideForAWhile(id);
    this.images.set(id, {
      id,
      state: 'pending',
      tags,
      name: input.Name,
      snapshotIds: [snapshot],
      created: new Date().toISOString(),
      steps: 0,
    });
    return { ImageId: id };
  }

  private describeImages(input: {
    ImageIds?: string[];
    Filters?: { Name: string; Values: string[] }[];
    MaxResults?: number;
    NextToken?: string;
  }) {
    const matches = (image: SimImage) =>
      (input.Filters ?? []).every((f) =>
        f.Name === 'state'
          ? f.Values.includes(image.state)
          : f.Name === 'name'
            ? f.Values.includes(image.name)
            : f.Name.startsWith('tag:')
              ? image.tags.some((t) => t.Key === f.Name.slice(4) && f.Values.includes(t.Value ?? ''))
              : true,
      );
    if (input.ImageIds?.some((id) => !this.images.has(id) || !this.visible(id)))
      throw awsError('InvalidAMIID.NotFound');
    const candidates = [...this.images.values()].filter(
      (i) => !input.ImageIds || input.ImageIds.includes(i.id),
    );
    const { items, next } = this.page('DescribeImages', candidates, {
      token: input.NextToken,
      size: input.MaxResults,
    });
    return {
      Images: items.filter(matches).map((image) => ({
        ImageId: image.id,
        State: image.state,
        Name: image.name,
        Tags: image.tags,
        CreationDate: image.created,
        RootDeviceName: '/dev/xvda',
        BlockDeviceMappings: image.snapshotIds.map((SnapshotId) => ({
          DeviceName: '/dev/xvda',
          Ebs: { SnapshotId },
        })),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  /**
   * A deregistered image's snapshots stay "in use" for a while (EC2 user guide, "Deregister an AMI"), unless
   * DeleteAssociatedSnapshots deletes them with it.
   */
  private deregisterImage(input: { ImageId: string; DeleteAssociatedSnapshots?: boolean }) {
    const image = this.images.get(input.ImageId);
    if (!image) throw awsError('InvalidAMIID.NotFound');
    this.images.delete(input.ImageId);
    for (const snapshot of image.snapshotIds) {
      if (input.DeleteAssociatedSnapshots) this.snapshots.delete(snapshot);
      else this.snapshotsInUse.set(snapshot, 20);
    }
    return { Return: true };
  }

  private deleteSnapshot(input: { SnapshotId: string }) {
    const inUse = this.snapshotsInUse.get(input.SnapshotId) ?? 0;
    if (inUse > 0) {
      this.snapshotsInUse.set(input.SnapshotId, inUse - 1);
      throw awsError('InvalidSnapshot.InUse', `The snapshot ${input.SnapshotId} is currently in use`);
    }
    if (!this.snapshots.delete(input.SnapshotId)) throw awsError('InvalidSnapshot.NotFound');
    return {};
  }

  private createLaunchTemplate(input: {
    LaunchTemplateName: string;
    LaunchTemplateData: unknown;
    TagSpecifications?: { ResourceType: string; Tags: Tags }[];
  }) {
    if (this.launchTemplates.has(input.LaunchTemplateName))
      throw awsError('InvalidLaunchTemplateName.AlreadyExistsException');
    this.launchTemplateTags.set(
      input.LaunchTemplateName,
      input.TagSpecifications?.find((t) => t.ResourceType === 'launch-template')?.Tags ?? [],
    );
    this.launchTemplates.set(input.LaunchTemplateName, {
      versions: new Map([[1, input.LaunchTemplateData]]),
      descriptions: new Map([[1, 'placeholder']]),
      next: 2,
      tokens: new Map(),
    });
    return { LaunchTemplate: { LaunchTemplateName: input.LaunchTemplateName, LatestVersionNumber: 1 } };
  }

  private describeLaunchTemplateVersions(input: {
    LaunchTemplateName: string;
    Versions?: string[];
    MaxResults?: number;
    NextToken?: string;
  }) {
    const template = this.launchTemplates.get(input.LaunchTemplateName);
    if (!template) throw awsError('InvalidLaunchTemplateName.NotFoundException');
    const wanted = input.Versions?.map(Number);
    for (const version of wanted ?? [])
      if (!template.versions.has(version)) throw awsError('InvalidLaunchTemplateId.VersionNotFound');
    const { items, next } = this.page(
      'DescribeLaunchTemplateVersions',
      [...template.versions.keys()].filter((v) => !wanted || wanted.includes(v)),
      { token: input.NextToken, size: input.MaxResults },
    );
    return {
      LaunchTemplateVersions: items.map((version) => ({
        VersionNumber: version,
        VersionDescription: template.descriptions.get(version),
        DefaultVersion: version === 1,
        // As EC2 answers it: the version's data, the image among it.
        LaunchTemplateData: structuredClone(template.versions.get(version)) as never,
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  private createLaunchTemplateVersion(input: {
    LaunchTemplateName: string;
    ClientToken?: string;
    VersionDescription?: string;
    LaunchTemplateData: unknown;
  }) {
    const template = this.launchTemplates.get(input.LaunchTemplateName);
    if (!template) throw awsError('InvalidLaunchTemplateName.NotFoundException');
    const existing = input.ClientToken ? template.tokens.get(input.ClientToken) : undefined;
    if (existing) return { LaunchTemplateVersion: { VersionNumber: existing } };
    const version = template.next++;
    template.versions.set(version, structuredClone(input.LaunchTemplateData));
    template.descriptions.set(version, input.VersionDescription ?? '');
    if (input.ClientToken) template.tokens.set(input.ClientToken, version);
    return { LaunchTemplateVersion: { VersionNumber: version } };
  }

  private deleteLaunchTemplateVersions(input: { LaunchTemplateName: string; Versions: string[] }) {
    const template = this.launchTemplates.get(input.LaunchTemplateName);
    for (const version of input.Versions) {
      if (version === '1')
        throw awsError('InvalidLaunchTemplateVersion', 'the default version cannot be deleted');
      template?.versions.delete(Number(version));
    }
    return {
      SuccessfullyDeletedLaunchTemplateVersions: input.Versions.map((v) => ({ VersionNumber: Number(v) })),
    };
  }

  private createGroup(input: {
    AutoScalingGroupName: string;
    LaunchTemplate: { LaunchTemplateName: string; Version: string };
    MinSize: number;
    MaxSize: number;
    DesiredCapacity: number;
    TargetGroupARNs?: string[];
    Tags?: Tags;
  }) {
    if (this.groups.has(input.AutoScalingGroupName)) throw awsError('AlreadyExistsFault');
    const data = this.launchTemplates
      .get(input.LaunchTemplate.LaunchTemplateName)
      ?.versions.get(Number(input.LaunchTemplate.Version)) as { ImageId: string } | undefined;
    if (!data) throw awsError('ValidationError', 'launch template version not found');
    const group: SimGroup = {
      name: input.AutoScalingGroupName,
      min: input.MinSize,
      max: input.MaxSize,
      desired: input.DesiredCapacity,
      targetGroupArns: [...(input.TargetGroupARNs ?? [])],
      tags: input.Tags ?? [],
      launchTemplate: {
        name: input.LaunchTemplate.LaunchTemplateName,
        version: Number(input.LaunchTemplate.Version),
      },
      instances: [],
      deleting: false,
      createdAt: new Date(),
    };
    for (let i = 0; i < group.desired; i++) {
      const id = this.id('i');
      this.instances.set(id, {
        id,
        state: 'pending',
        launchedAt: new Date(),
        imageId: data.ImageId,
        tags: group.tags.map(({ Key, Value }) => ({ Key, Value })), // propagated: Key and Value only
        role: 'fleet',
        steps: 0,
      });
      group.instances.push(id);
      for (const arn of group.targetGroupArns)
        this.targetGroups.get(arn)?.targets.set(id, { state: 'initial', steps: 0, imageId: data.ImageId });
    }
    this.groups.set(group.name, group);
    return {};
  }

  /** Pages of MaxRecords, filters applied within a page (a page can be short, even empty, with more to come). */
  private describeGroups(input: {
    AutoScalingGroupNames?: string[];
    Filters?: { Name: string; Values: string[] }[];
    MaxRecords?: number;
    NextToken?: string;
  }) {
    const matches = (group: SimGroup) =>
      (input.Filters ?? []).every((f) =>
        group.tags.some((t) => `tag:${t.Key}` === f.Name && f.Values.includes(t.Value ?? '')),
      );
    const named = [...this.groups.values()].filter(
      (g) => !input.AutoScalingGroupNames || input.AutoScalingGroupNames.includes(g.name),
    );
    const { items, next } = this.page('DescribeAutoScalingGroups', named, {
      token: input.NextToken,
      size: input.MaxRecords,
    });
    return {
      ...(next ? { NextToken: next } : {}),
      AutoScalingGroups: items.filter(matches).map((g) => ({
        AutoScalingGroupName: g.name,
        MinSize: g.min,
        MaxSize: g.max,
        DesiredCapacity: g.desired,
        TargetGroupARNs: [...g.targetGroupArns],
        LaunchTemplate: {
          LaunchTemplateName: g.launchTemplate.name,
          Version: String(g.launchTemplate.version),
        },
        Tags: g.tags,
        // Members the Auto Scaling API model marks required (held to it by the API oracle).
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a', 'us-east-1b'],
        HealthCheckType: 'ELB',
        CreatedTime: g.createdAt,
        Instances: g.instances.map((InstanceId) => ({
          InstanceId,
          AvailabilityZone: 'us-east-1a',
          LifecycleState: 'InService',
          HealthStatus: 'Healthy',
          ProtectedFromScaleIn: false,
        })),
      })),
    };
  }

  private deleteGroup(input: { AutoScalingGroupName: string }) {
    const group = this.groups.get(input.AutoScalingGroupName);
    if (!group) throw awsError('ValidationError', 'AutoScalingGroup name not found');
    for (const id of group.instances) {
      const instance = this.instances.get(id);
      if (instance) instance.state = 'shutting-down';
      for (const arn of group.targetGroupArns) this.targetGroups.get(arn)?.targets.delete(id);
    }
    this.groups.delete(group.name);
    return {};
  }

  private detachTrafficSources(input: {
    AutoScalingGroupName: string;
    TrafficSources: { Identifier: string }[];
  }) {
    const group = this.groups.get(input.AutoScalingGroupName);
    if (!group) throw awsError('ValidationError', 'AutoScalingGroup name not found');
    for (const source of input.TrafficSources) {
      group.targetGroupArns = group.targetGroupArns.filter((arn) => arn !== source.Identifier);
      for (const target of this.targetGroups.get(source.Identifier)?.targets.values() ?? []) {
        target.state = 'draining';
        target.steps = 0;
      }
    }
    return {};
  }

  /**
   * ELB API reference, DescribeRules: a listener's rules, the default rule last, in pages of PageSize (1 to 400)
   * with NextMarker.
   */
  private describeRules(input: { ListenerArn?: string; Marker?: string; PageSize?: number }) {
    const arn = input.ListenerArn ?? '';
    const actions = this.listeners.get(arn);
    if (!actions) throw awsError('ListenerNotFound', 'One or more listeners not found');
    const rules: Rule[] = [
      ...structuredClone(this.listenerRules.get(arn) ?? []),
      {
        RuleArn: `${arn.replace(':listener/', ':listener-rule/')}/default`,
        Priority: 'default',
        Conditions: [],
        Actions: structuredClone(actions),
        IsDefault: true,
      },
    ];
    const from = Number(input.Marker ?? 0);
    const to = from + Math.min(input.PageSize ?? 400, this.pageSizes.DescribeRules ?? 400);
    return { Rules: rules.slice(from, to), ...(to < rules.length ? { NextMarker: String(to) } : {}) };
  }

  private modifyListener(input: { ListenerArn: string; DefaultActions: Action[] }) {
    if (!this.listeners.has(input.ListenerArn)) throw awsError('ListenerNotFoundException');
    for (const action of input.DefaultActions) {
      const groups = action.ForwardConfig?.TargetGroups ?? [];
      if (groups.length > 5) throw awsError('ValidationError', 'at most 5 target groups');
      for (const g of groups) {
        if ((g.Weight ?? 0) < 0 || (g.Weight ?? 0) > 999)
          throw awsError('ValidationError', 'weight out of range');
        if (!this.targetGroups.has(g.TargetGroupArn ?? '')) throw awsError('TargetGroupNotFoundException');
      }
    }
    this.listeners.set(input.ListenerArn, structuredClone(input.DefaultActions));
    return {};
  }

  private modifyTargetGroup(input: { TargetGroupArn: string; HealthCheckPath?: string }) {
    const group = this.targetGroups.get(input.TargetGroupArn);
    if (!group) throw awsError('TargetGroupNotFoundException');
    if (input.HealthCheckPath) group.healthCheckPath = input.HealthCheckPath;
    return {
      TargetGroups: [{ TargetGroupArn: input.TargetGroupArn, HealthCheckPath: group.healthCheckPath }],
    };
  }

  /** An instance answers 200 only on its image's health path (the manifest's, tagged on the image). */
  private answersHealthCheck(imageId: string, path: string): boolean {
    if (this.unhealthyImages.has(imageId)) return false;
    const tags = this.images.get(imageId)?.tags ?? [];
    return (tags.find((t) => t.Key === 'bakeshift:health-path')?.Value ?? '/health') === path;
  }

  /**
   * ELB API reference, DescribeTargetHealth: the group's targets, or those named in Targets; a named instance
   * that is not registered is `unused` with reason Target.NotRegistered.
   */
  private describeTargetHealth(input: { TargetGroupArn: string; Targets?: { Id: string }[] }) {
    const group = this.targetGroups.get(input.TargetGroupArn);
    if (!group) throw awsError('TargetGroupNotFoundException');
    for (const target of group.targets.values()) {
      target.steps += 1;
      if (target.state === 'initial' && target.steps >= 2)
        target.state = this.answersHealthCheck(target.imageId, group.healthCheckPath)
          ? 'healthy'
          : 'unhealthy';
    }
    const named = input.Targets?.map((t) => t.Id);
    const unregistered = (named ?? [])
      .filter((id) => !group.targets.has(id))
      .map(
        (id): TargetHealthDescription => ({
          Target: { Id: id, Port: 8080 },
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        }),
      );
    const described = [...group.targets.entries()].filter(([id]) => !named || named.includes(id));
    return {
      TargetHealthDescriptions: described
        .map(
          ([id, target]): TargetHealthDescription => ({
            Target: { Id: id, Port: 8080 },
            TargetHealth: {
              State: target.state,
              ...(target.state === 'unhealthy'
                ? {
                    Reason: 'Target.ResponseCodeMismatch',
                    Description: `Health checks failed with these codes: [${this.unhealthyImages.has(target.imageId) ? 503 : 404}]`,
                  }
                : {}),
              ...(target.state === 'initial' ? { Reason: 'Elb.RegistrationInProgress' } : {}),
            },
          }),
        )
        .concat(unregistered),
    };
  }
}
