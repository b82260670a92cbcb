import { randomUUID } from 'node:crypto';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import type { LambdaRuntime } from './lambda-runtime.js';
import { type AwsAnswer, type AwsCall, type FrontLayer, jsonAnswer, jsonBody } from './moto-front.js';
import { settleAll } from './settle-all.js';
import { ACCOUNT, motoClientConfig, REGION } from './stack-in-moto.js';

export interface AwsEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources?: string[];
}

/** Lambda retries a failed asynchronous invocation twice (Lambda developer guide, "Error handling"). */
const ASYNC_ATTEMPTS = 3;

/**
 * EventBridge's pattern matching, for the patterns the stack's rules use: exact values, prefix, suffix,
 * wildcard, exists and anything-but, in nested objects (EventBridge user guide, "Event patterns").
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event[key];
    if (!Array.isArray(expected))
      return (
        typeof value === 'object' &&
        value !== null &&
        matchesPattern(expected as Record<string, unknown>, value as Record<string, unknown>)
      );
    const values = Array.isArray(value) ? value : [value];
    return expected.some((rule) => values.some((v) => matchesRule(rule, v, key in event)));
  });
}

function matchesRule(rule: unknown, value: unknown, present: boolean): boolean {
  if (rule === null || typeof rule !== 'object') return value === rule;
  const [kind, operand] = Object.entries(rule)[0] ?? [];
  const text = typeof value === 'string' ? value : undefined;
  switch (kind) {
    case 'prefix':
      return text?.startsWith(String(operand)) ?? false;
    case 'suffix':
      return text?.endsWith(String(operand)) ?? false;
    case 'wildcard': {
      const regex = new RegExp(
        `^${String(operand)
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      return text !== undefined && regex.test(text);
    }
    case 'exists':
      return operand === present;
    case 'anything-but':
      return ![operand].flat().includes(value);
    default:
      throw new Error(`event pattern rule ${JSON.stringify(rule)} is not understood by the test's matcher`);
  }
}

/** A target's input: Input, InputPath or InputTransformer (EventBridge user guide, "Transforming target input"). */
function inputOf(target: Target, event: Record<string, unknown>): unknown {
  if (target.Input) return JSON.parse(target.Input);
  if (target.InputPath) return pathValue(event, target.InputPath);
  const transformer = target.InputTransformer;
  if (!transformer) return event;
  let text = transformer.InputTemplate ?? '';
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {}))
    text = text.replaceAll(`<${name}>`, JSON.stringify(pathValue(event, path) ?? null));
  return JSON.parse(text);
}

function pathValue(event: Record<string, unknown>, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], event);
}

/** The stack's rules on the default bus and their targets, read from moto once (no scenario changes them). */
export class StackRules {
  private constructor(
    readonly rules: { name: string; pattern: Record<string, unknown>; targets: Target[] }[],
  ) {}

  static async read(endpoint: string): Promise<StackRules> {
    const eventBridge = new EventBridgeClient(motoClientConfig(endpoint));
    const { Rules = [] } = await eventBridge.send(new ListRulesCommand({ EventBusName: 'default' }));
    const rules = [];
    for (const rule of Rules) {
      if (rule.State !== 'ENABLED' || !rule.EventPattern) continue;
      const { Targets = [] } = await eventBridge.send(
        new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: 'default' }),
      );
      rules.push({ name: rule.Name ?? '', pattern: JSON.parse(rule.EventPattern), targets: Targets });
    }
    return new StackRules(rules);
  }
}

/**
 * A stand-in for EventBridge's delivery to Lambda targets, which moto does not make (events/models.py raises
 * NotImplementedError for a Lambda target, and S3's notifications swallow it): the stack's rules and targets are
 * read from moto; an event that matches a rule invokes each target's deployed bundle asynchronously, with
 * Lambda's retries. Sources: PutEvents (answered here), S3's Object Created for a bucket with EventBridge
 * notifications on, EC2's AMI state change (moto's images are available at once) and the machines' state changes.
 */
export class EventDelivery {
  readonly delivered: { rule: string; target: string; event: AwsEvent }[] = [];
  readonly failed: { rule: string; target: string; error: string }[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly s3: S3Client;
  private readonly logs: CloudWatchLogsClient;
  private readonly notifyingBuckets = new Map<string, Promise<boolean>>();

  constructor(
    endpoint: string,
    private readonly runtime: LambdaRuntime,
    private readonly stackRules: StackRules,
  ) {
    this.s3 = new S3Client(motoClientConfig(endpoint));
    this.logs = new CloudWatchLogsClient(motoClientConfig(endpoint));
  }

  /** Puts an event on the default bus, as an AWS service emits it. */
  emit(event: AwsEvent): void {
    const full = {
      version: '0',
      id: randomUUID(),
      account: ACCOUNT,
      time: new Date().toISOString(),
      region: REGION,
      resources: [],
      ...event,
    };
    const delivery = this.deliver(full).catch((error: Error) => {
      this.failed.push({ rule: '(any)', target: '(any)', error: error.stack ?? error.message });
    });
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }

  /** Waits for every delivery so far, and those they caused, to end. */
  async settled(): Promise<void> {
    await settleAll(this.pending, 'event deliveries');
  }

  private async deliver(event: Record<string, unknown> & AwsEvent): Promise<void> {
    for (const rule of this.stackRules.rules)
      if (matchesPattern(rule.pattern, event))
        await Promise.all(rule.targets.map((target) => this.invoke(rule.name, target, event)));
  }

  private async invoke(rule: string, target: Target, event: Record<string, unknown> & AwsEvent) {
    if (target.Arn?.startsWith(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:`))
      return this.toLogGroup(target.Arn, event);
    const name = this.runtime.nameOf(target.Arn ?? '');
    if (!name) throw new Error(`rule ${rule}: target ${target.Arn} is none of the stack's functions`);
    let last = '';
    for (let attempt = 0; attempt < ASYNC_ATTEMPTS; attempt++) {
      try {
        await this.runtime.invoke(name, inputOf(target, event));
        this.delivered.push({ rule, target: name, event });
        return;
      } catch (error) {
        last = (error as Error).message;
      }
    }
    this.failed.push({ rule, target: name, error: last });
  }

  /** A CloudWatch Logs target: the event as one log event of a new stream (as EventBridge writes it). */
  private async toLogGroup(arn: string, event: Record<string, unknown>): Promise<void> {
    const logGroupName = arn.split(':log-group:')[1]?.replace(/:\*$/, '') ?? '';
    const logStreamName = randomUUID();
    await this.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    await this.logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName,
        logEvents: [{ timestamp: Date.now(), message: JSON.stringify(event) }],
      }),
    );
  }

  /** PutEvents, answered here (moto would fail on the stack's Lambda targets), then each entry delivered. */
  readonly layer: FrontLayer = async (call, next) => {
    if (call.service === 'events' && call.action === 'PutEvents') return this.putEvents(call);
    const answer = await next(call);
    if (answer.status === 200) await this.observe(call, answer);
    return answer;
  };

  private putEvents(call: AwsCall): AwsAnswer {
    const { Entries = [] } = jsonBody<{
      Entries?: { Source: string; DetailType: string; Detail: string; Resources?: string[] }[];
    }>(call);
    const ids = Entries.map((entry) => {
      const id = randomUUID();
      this.emit({
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail),
        resources: entry.Resources ?? [],
      });
      return { EventId: id };
    });
    return jsonAnswer(200, { FailedEntryCount: 0, Entries: ids }, 'application/x-amz-json-1.1');
  }

  /** What AWS services emit on their own after a call succeeds. */
  private async observe(call: AwsCall, answer: AwsAnswer): Promise<void> {
    if (call.service === 's3' && call.method === 'PUT') await this.objectCreated(call, answer);
    if (call.service === 'ec2' && call.action === 'CreateImage') {
      const imageId = /<imageId>([^<]+)<\/imageId>/.exec(answer.body.toString('utf8'))?.[1];
      // moto's images are available as soon as they exist: AWS announces that state change.
      if (imageId)
        this.emit({
          source: 'aws.ec2',
          'detail-type': 'EC2 AMI State Change',
          detail: { RequestId: randomUUID(), ImageId: imageId, State: 'available', ErrorMessage: '' },
          resources: [`arn:aws:ec2:${REGION}::image/${imageId}`],
        });
    }
  }

  /** S3's "Object Created" event (S3 user guide, "EventBridge message structure"), when the bucket sends them. */
  private async objectCreated(call: AwsCall, answer: AwsAnswer): Promise<void> {
    const url = new URL(call.url, 'http://front');
    const [bucket, ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!bucket || !key || url.searchParams.has('uploadId') || url.searchParams.has('tagging')) return;
    if (!(await this.sendsEvents(bucket))) return;
    this.emit({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: {
          key,
          size: call.body.length,
          etag: (answer.headers.etag ?? '').replaceAll('"', ''),
          ...(answer.headers['x-amz-version-id'] ? { 'version-id': answer.headers['x-amz-version-id'] } : {}),
          sequencer: Date.now().toString(16).toUpperCase(),
        },
        'request-id': randomUUID(),
        requester: ACCOUNT,
        reason: call.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject',
      },
      resources: [`arn:aws:s3:::${bucket}`],
    });
  }

  private sendsEvents(bucket: string): Promise<boolean> {
    let known = this.notifyingBuckets.get(bucket);
    if (!known) {
      known = this.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket })).then(
        (c) => c.EventBridgeConfiguration !== undefined,
        () => false,
      );
      this.notifyingBuckets.set(bucket, known);
    }
    return known;
  }
}
