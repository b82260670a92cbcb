import type { SimCall } from '../simulated-cloud.js';
import {
  botocore,
  type ModelShape,
  modeledErrorsOf,
  modelValidator,
  operationOf,
} from './botocore-models.js';

/*
 * The API oracle: AWS's full service models as botocore ships them (botocore-models.ts), with the aws-sdk v2
 * package's model-driven ParamValidator: required members, member names (no unknown key), types, lengths and
 * ranges, enum values and patterns, for every request the adapters send and every response the simulated cloud
 * gives. The SDK v3 clients do not validate, so without this a request AWS would refuse, or a response AWS would
 * never send, passes unnoticed. Every error the simulated cloud answers must be one the model lists for the
 * operation (under the SDK's name for it), one every AWS API can answer, or, for EC2 (whose model lists no
 * errors), one of EC2's documented error codes. Limit, said plainly: EC2's model states few lengths (its
 * 64-character ClientToken is checked by the simulation).
 */

/**
 * Errors every AWS API can answer, whatever its model lists: the API references' "Common Errors" pages, and each
 * service's name for "slow down" (Auto Scaling and ELB: Throttling; EC2: RequestLimitExceeded; S3: SlowDown).
 */
export const COMMON_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'ServiceUnavailable',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'SlowDown',
  'ValidationError',
]);

/** EC2's model lists no errors: these are codes from the EC2 API reference's "Error codes" page. */
export const EC2_ERROR_CODES = new Set([
  'IdempotentParameterMismatch',
  'IncorrectState',
  'InsufficientInstanceCapacity',
  'InternalError',
  'InvalidAMIID.NotFound',
  'InvalidAMIName.Duplicate',
  'InvalidInstanceID.NotFound',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateName.AlreadyExistsException',
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidSnapshot.InUse',
  'InvalidSnapshot.NotFound',
  'UnauthorizedOperation',
]);

export interface ApiOracleReport {
  /** The models validated against: `botocore <version>`. */
  models: string;
  requestsValidated: number;
  responsesValidated: number;
  /** Errors answered, each checked against what the operation can raise. */
  errorsChecked: number;
  /** `<function> <service>:<operation> request|response|error: <what AWS's model says is wrong>` */
  invalid: string[];
  /** Services whose calls were seen but whose model is not loaded here. */
  unchecked: string[];
}

export function runApiOracle(calls: SimCall[]): ApiOracleReport {
  const report: ApiOracleReport = {
    models: `botocore ${botocore().version}`,
    requestsValidated: 0,
    responsesValidated: 0,
    errorsChecked: 0,
    invalid: [],
    unchecked: [],
  };
  for (const call of calls) {
    if (call.presigned) continue; // made by curl on the builder, not through an SDK client
    const operation = operationOf(call.service, call.name);
    if (!operation) {
      const what = `${call.service}:${call.name}`;
      if (!report.unchecked.includes(what)) report.unchecked.push(what);
      continue;
    }
    const who = `${call.functionName ?? 'test'} ${call.service}:${call.name}`;
    const check = (kind: 'request' | 'response', shape: ModelShape | undefined, value: unknown) => {
      try {
        modelValidator().validate(shape ?? { type: 'structure', members: {} }, value, kind);
      } catch (error) {
        report.invalid.push(`${who} ${kind}: ${shortened((error as Error).message)}`);
      }
    };
    report.requestsValidated += 1;
    check('request', operation.input, call.input);
    if (call.output !== undefined && !call.error) {
      report.responsesValidated += 1;
      check('response', operation.output, withoutTransport(call.service, call.name, call.output));
    }
    if (call.error) {
      report.errorsChecked += 1;
      const wrong = unmodeledError(call.service, call.name, call.error);
      if (wrong) report.invalid.push(`${who} error: ${wrong}`);
    }
  }
  return report;
}

/** Why AWS would never answer this operation with this error; undefined when it can. */
function unmodeledError(service: string, operation: string, error: string): string | undefined {
  if (COMMON_ERRORS.has(error)) return undefined;
  if (service === 'ec2')
    return EC2_ERROR_CODES.has(error) ? undefined : `${error} is not among EC2's documented error codes`;
  const modeled = modeledErrorsOf(service, operation) ?? [];
  if (modeled.includes(error)) return undefined;
  return `${error} is not an error AWS's model lists for ${operation} (it lists: ${modeled.join(', ') || 'none'})`;
}

/** An enum's every value (EC2's instance types are a thousand) is not what a reader needs. */
const shortened = (message: string) =>
  message.replace(/but expected (\S{120})\S+/, (_, start: string) => `but expected ${start}…`);

/** What the v3 client adds to a response, and a streamed body, are not part of the model's members. */
function withoutTransport(service: string, name: string, output: unknown): unknown {
  const { $metadata: _metadata, ...rest } = (output ?? {}) as Record<string, unknown>;
  if (service === 's3' && name === 'GetObject') delete rest.Body;
  return rest;
}
