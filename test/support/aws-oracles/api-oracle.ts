import { createRequire } from 'node:module';
import type { SimCall } from '../simulated-cloud.js';

/*
 * The API oracle: AWS's published API models, as the aws-sdk v2 package ships them (`apis/*.min.json`), with its
 * model-driven ParamValidator: required members, member names (no unknown key), types, and lengths and patterns
 * where the model states them. The SDK v3 clients do not validate, so without this a request AWS would refuse,
 * or a response AWS would never send, passes unnoticed. Limits, said plainly: the minified models leave out
 * enum values, and EC2's model states no lengths (its 64-character ClientToken is checked by the simulation).
 */

const require = createRequire(import.meta.url);
// The v2 package is read for its models only: its end-of-support notice is not for us.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

interface V2Shape {
  type?: string;
  members?: Record<string, V2Shape>;
}
interface V2Service {
  api: { operations: Record<string, { input?: V2Shape; output?: V2Shape }> };
}
interface V2Validator {
  validate(shape: V2Shape, params: unknown, context?: string): void;
}

/** Our recorded service names → the aws-sdk v2 client module that carries that service's model. */
const MODELS: Record<string, string> = {
  ec2: 'aws-sdk/clients/ec2',
  autoscaling: 'aws-sdk/clients/autoscaling',
  elasticloadbalancing: 'aws-sdk/clients/elbv2',
  ssm: 'aws-sdk/clients/ssm',
  s3: 'aws-sdk/clients/s3',
  dynamodb: 'aws-sdk/clients/dynamodb',
  states: 'aws-sdk/clients/stepfunctions',
  events: 'aws-sdk/clients/eventbridge',
  secretsmanager: 'aws-sdk/clients/secretsmanager',
  logs: 'aws-sdk/clients/cloudwatchlogs',
  lambda: 'aws-sdk/clients/lambda',
  cloudwatch: 'aws-sdk/clients/cloudwatch',
};

const services = new Map<string, V2Service>();
function serviceModel(service: string): V2Service | undefined {
  const module = MODELS[service];
  if (!module) return undefined;
  let model = services.get(service);
  if (!model) {
    const Client = require(module) as new (options: object) => V2Service;
    model = new Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    services.set(service, model);
  }
  return model;
}

let validator: V2Validator | undefined;
function paramValidator(): V2Validator {
  const AWS = require('aws-sdk/lib/core') as { ParamValidator: new (options: object) => V2Validator };
  validator ??= new AWS.ParamValidator({ min: true, max: true, pattern: true, enum: true });
  return validator;
}

export interface ApiOracleReport {
  requestsValidated: number;
  responsesValidated: number;
  /** `<function> <service>:<operation> request|response: <what AWS's model says is wrong>` */
  invalid: string[];
  /** Services whose calls were seen but whose model is not loaded here. */
  unchecked: string[];
}

export function runApiOracle(calls: SimCall[]): ApiOracleReport {
  const report: ApiOracleReport = { requestsValidated: 0, responsesValidated: 0, invalid: [], unchecked: [] };
  for (const call of calls) {
    if (call.presigned) continue; // made by curl on the builder, not through an SDK client
    const model = serviceModel(call.service);
    const operation = withNewerMembers(
      call.service,
      call.name,
      model?.api.operations[call.name.charAt(0).toLowerCase() + call.name.slice(1)],
    );
    if (!operation) {
      const what = `${call.service}:${call.name}`;
      if (!report.unchecked.includes(what)) report.unchecked.push(what);
      continue;
    }
    const who = `${call.functionName ?? 'test'} ${call.service}:${call.name}`;
    const check = (kind: 'request' | 'response', shape: V2Shape | undefined, value: unknown) => {
      try {
        paramValidator().validate(shape ?? { type: 'structure', members: {} }, value, kind);
      } catch (error) {
        report.invalid.push(`${who} ${kind}: ${(error as Error).message}`);
      }
    };
    report.requestsValidated += 1;
    check('request', operation.input, call.input);
    if (call.output !== undefined && !call.error) {
      report.responsesValidated += 1;
      check('response', operation.output, withoutTransport(call.service, call.name, call.output));
    }
  }
  return report;
}

/**
 * Members AWS added after the last aws-sdk v2 models (September 2025), from the current API reference; each
 * names its page. Kept as short as possible: everything else comes from AWS's model as published.
 */
const NEWER_MEMBERS: Record<string, { input?: Record<string, V2Shape>; output?: Record<string, V2Shape> }> = {
  // EC2 API reference, DeregisterImage: DeleteAssociatedSnapshots (request); Return, DeleteSnapshotResults.
  'ec2:DeregisterImage': {
    input: { DeleteAssociatedSnapshots: { type: 'boolean' } },
    output: { Return: { type: 'boolean' }, DeleteSnapshotResults: { type: 'list' } },
  },
};

function withNewerMembers(
  service: string,
  name: string,
  operation: { input?: V2Shape; output?: V2Shape } | undefined,
) {
  const newer = NEWER_MEMBERS[`${service}:${name}`];
  if (!operation || !newer) return operation;
  const extend = (shape: V2Shape | undefined, members: Record<string, V2Shape> = {}): V2Shape => ({
    ...(shape ?? { type: 'structure' }),
    type: 'structure',
    members: { ...(shape?.members ?? {}), ...members },
  });
  return { input: extend(operation.input, newer.input), output: extend(operation.output, newer.output) };
}

/** What the v3 client adds to a response, and a streamed body, are not part of the model's members. */
function withoutTransport(service: string, name: string, output: unknown): unknown {
  const { $metadata: _metadata, ...rest } = (output ?? {}) as Record<string, unknown>;
  if (service === 's3' && name === 'GetObject') delete rest.Body;
  return rest;
}
