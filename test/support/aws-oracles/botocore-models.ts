import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * AWS's full service models as botocore ships them (`botocore/data/<service>/<version>/service-2.json`, with
 * every enum, length, range and pattern, and the errors each operation can raise), read into the aws-sdk v2
 * package's model classes: botocore's files are the JSON model format the v2 SDK's own `apis/` were made from,
 * so its model-driven `ParamValidator` validates against them as they are.
 */

const require = createRequire(import.meta.url);
// The v2 package is used for its model classes and validator only: its end-of-support notice is not for us.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

export interface ModelShape {
  type?: string;
  members?: Record<string, ModelShape>;
}
interface ModelOperation {
  input?: ModelShape;
  output?: ModelShape;
}
interface ModelApi {
  operations: Record<string, ModelOperation>;
}
/** The model file itself, for what the v2 classes do not keep by name: the errors of each operation. */
interface RawModel {
  operations: Record<string, { errors?: { shape: string }[] }>;
}

/** Our recorded service names (IAM's prefixes) → botocore's data directory for that service. */
const BOTOCORE_SERVICE: Record<string, string> = {
  ec2: 'ec2',
  autoscaling: 'autoscaling',
  elasticloadbalancing: 'elbv2',
  ssm: 'ssm',
  s3: 's3',
  dynamodb: 'dynamodb',
  states: 'stepfunctions',
  events: 'events',
  secretsmanager: 'secretsmanager',
  logs: 'logs',
  lambda: 'lambda',
  cloudwatch: 'cloudwatch',
  sts: 'sts',
};

let found: { dataDir: string; version: string } | undefined;

/** Where botocore is installed, and its version; fails at once, saying how to install it, when it is not. */
export function botocore(): { dataDir: string; version: string } {
  if (found) return found;
  let answer: string;
  try {
    answer = execFileSync(
      'python3',
      ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    throw new Error(
      `the API oracle needs botocore (AWS's service models), not found by python3: pip install botocore (${(error as Error).message.split('\n')[0]})`,
    );
  }
  const [dir = '', version = ''] = answer.trim().split('\n');
  found = { dataDir: join(dir, 'data'), version };
  return found;
}

/** A service's newest model in botocore (`service-2.json`, gzipped in recent releases). */
function readServiceModel(service: string): unknown {
  const root = join(botocore().dataDir, service);
  const versions = readdirSync(root)
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
    .sort();
  const newest = join(root, versions.at(-1) ?? '');
  const plain = join(newest, 'service-2.json');
  if (existsSync(plain)) return JSON.parse(readFileSync(plain, 'utf8'));
  return JSON.parse(gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8'));
}

const models = new Map<string, { api: ModelApi; raw: RawModel }>();

/** The model of one of our services, or undefined for a service botocore is not asked about. */
function serviceModel(service: string) {
  const directory = BOTOCORE_SERVICE[service];
  if (!directory) return undefined;
  let model = models.get(service);
  if (!model) {
    const AWS = require('aws-sdk/lib/core') as { Model: { Api: new (model: unknown) => ModelApi } };
    const raw = readServiceModel(directory) as RawModel;
    // The v2 classes rewrite the model they are given: they get their own copy.
    model = { api: new AWS.Model.Api(structuredClone(raw)), raw };
    models.set(service, model);
  }
  return model;
}

/** The services bakeshift calls whose models are read here, under our recorded names (IAM's prefixes). */
export const MODELED_SERVICES = Object.keys(BOTOCORE_SERVICE);

/** Every error the model lists for any operation of the service (none for EC2's, which lists no errors). */
export function serviceErrorsOf(service: string): string[] {
  const operations = Object.values(serviceModel(service)?.raw.operations ?? {});
  return operations.flatMap((o) => (o.errors ?? []).map((e) => e.shape));
}

/** An operation of a service's model, by its API name (e.g. `RunInstances`). */
export function operationOf(service: string, name: string): ModelOperation | undefined {
  return serviceModel(service)?.api.operations[name.charAt(0).toLowerCase() + name.slice(1)];
}

/**
 * The errors the model lists for an operation, under the names the SDK v3 gives them (`error.name` is the
 * error shape's name, e.g. ListenerNotFoundException for ELB's code ListenerNotFound); undefined where the
 * model lists none for any operation (EC2's model: its codes are on the EC2 API reference's error-code page).
 */
export function modeledErrorsOf(service: string, name: string): string[] | undefined {
  const raw = serviceModel(service)?.raw;
  if (!raw || !Object.values(raw.operations).some((o) => o.errors?.length)) return undefined;
  return (raw.operations[name]?.errors ?? []).map((e) => e.shape);
}

interface Validator {
  validate(shape: ModelShape, params: unknown, context?: string): void;
  validatePattern(shape: { pattern?: string }, value: string, context: string): void;
  fail(code: string, message: string): void;
}
let validator: Validator | undefined;

/**
 * aws-sdk v2's ParamValidator with every check the model can drive: required, types, min/max, enum, pattern.
 * Patterns are compiled as Unicode regular expressions: the models write them as Smithy does, over code points
 * (`[\u0020-\uD7FF…\uD800\uDC00-\uDBFF\uDFFF]` is U+0020 to U+10FFFF), which a plain JavaScript RegExp refuses.
 */
export function modelValidator(): Validator {
  if (validator) return validator;
  const AWS = require('aws-sdk/lib/core') as { ParamValidator: new (options: object) => Validator };
  const created = new AWS.ParamValidator({ min: true, max: true, pattern: true, enum: true });
  created.validatePattern = (shape, value, context) => {
    if (shape.pattern !== undefined && !unicodePattern(shape.pattern).test(value))
      created.fail(
        'PatternMatchError',
        `Provided value "${value}" does not match regex pattern /${shape.pattern}/ for ${context}`,
      );
  };
  validator = created;
  return created;
}

const patterns = new Map<string, RegExp>();
function unicodePattern(pattern: string): RegExp {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, 'u');
    patterns.set(pattern, compiled);
  }
  return compiled;
}
