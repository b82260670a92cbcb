/**
 * moto's copy of the synthesized template: what moto 5.2.1's CloudFormation cannot create is taken out (and
 * created by the test with the SDK, see stack-in-moto.ts), each type with the reason found in moto's source.
 */

type Json = unknown;
export interface Template {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, Json>; DependsOn?: string | string[] }
  >;
  Outputs?: Record<string, { Value: Json; Description?: string }>;
  [key: string]: Json;
}

/** Each resource type moto's CloudFormation does not create, and why (moto 5.2.1, moto/cloudformation/parsing.py). */
export const CREATED_BY_THE_TEST: Record<string, string> = {
  'AWS::Lambda::Url':
    'no CloudFormation model (parsing.py:277 resource_class_from_type answers None) and an Output or a value that reads its FunctionUrl crashes validate_outputs (parsing.py:728); moto also serves nothing at a function URL: the test serves each URL in front of its bundled function, and records the URL config with CreateFunctionUrlConfig',
  'AWS::EC2::FlowLog':
    'its CloudFormation model crashes on an S3 destination (ec2/models/flow_logs.py:99, IndexError): CreateFlowLogs with the same properties',
  'AWS::SecretsManager::Secret':
    'no CloudFormation model: skipped with a warning, so a Ref to it is the logical id instead of the ARN; CreateSecret before the stack, its ARN put where the template refers to it',
  'AWS::S3::BucketPolicy': 'no CloudFormation model (skipped with a warning): PutBucketPolicy',
  'AWS::SQS::QueuePolicy': 'no CloudFormation model (skipped with a warning): SetQueueAttributes (Policy)',
  'AWS::EC2::SecurityGroupEgress':
    'no CloudFormation model (skipped with a warning): AuthorizeSecurityGroupEgress',
  'AWS::Lambda::EventInvokeConfig':
    'no CloudFormation model (skipped with a warning): PutFunctionEventInvokeConfig',
  'AWS::Scheduler::Schedule': 'no CloudFormation model (skipped with a warning): CreateSchedule',
};

const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::If',
  'Fn::ImportValue',
]);
const isIntrinsic = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  INTRINSICS.has(Object.keys(value)[0] ?? '');

/** Replaces every node for which `replace` answers a value; walks the rest. */
function mapJson(value: Json, replace: (node: Json) => Json | undefined): Json {
  const replaced = replace(value);
  if (replaced !== undefined) return replaced;
  if (Array.isArray(value)) return value.map((v) => mapJson(v, replace));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapJson(v, replace)]));
  return value;
}

export interface TakenOut {
  logicalId: string;
  type: string;
  /** Its properties with every intrinsic replaced by a token `{{resolve:N}}`. */
  properties: Record<string, Json>;
}

export interface MotoCopy {
  template: Template;
  takenOut: TakenOut[];
  /** The Output that resolves each token, by token. */
  tokens: Map<string, string>;
}

/**
 * The copy moto gets: the types it cannot create removed; references to them replaced by `known` values (a
 * secret's ARN, a function URL); every intrinsic inside a removed resource's properties turned into an Output of
 * the copy, so that moto resolves it (Refs to physical ids, GetAtt Arn, Join, Sub) and the test fills it in.
 */
export function motoCopyOf(synthesized: Template, known: { refs: Record<string, string> }): MotoCopy {
  const template = structuredClone(synthesized);
  const removed = new Set(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type in CREATED_BY_THE_TEST)
      .map(([id]) => id),
  );
  const tokens = new Map<string, string>();
  const outputs: NonNullable<Template['Outputs']> = {};
  const takenOut: TakenOut[] = [];
  for (const id of removed) {
    const resource = template.Resources[id];
    if (!resource) continue;
    const properties = mapJson(resource.Properties ?? {}, (node) => {
      if (!isIntrinsic(node)) return undefined;
      const token = `{{resolve:${tokens.size}}}`;
      const output = `MotoResolve${tokens.size}`;
      tokens.set(token, output);
      outputs[output] = { Value: node };
      return token;
    }) as Record<string, Json>;
    takenOut.push({ logicalId: id, type: resource.Type, properties });
    delete template.Resources[id];
  }
  const substitute = (node: Json): Json | undefined => {
    if (!isIntrinsic(node)) return undefined;
    const ref = (node as { Ref?: string }).Ref;
    if (ref && removed.has(ref)) return known.refs[ref] ?? missing(ref);
    const getAtt = (node as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt && removed.has(getAtt[0]))
      return known.refs[`${getAtt[0]}.${getAtt[1]}`] ?? missing(getAtt.join('.'));
    return undefined;
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Properties)
      resource.Properties = mapJson(resource.Properties, substitute) as Record<string, Json>;
    if (resource.DependsOn) {
      const kept = [resource.DependsOn].flat().filter((d) => !removed.has(d));
      if (kept.length > 0) resource.DependsOn = kept;
      else delete resource.DependsOn;
    }
  }
  template.Outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([name, output]) => [
      name,
      { ...output, Value: mapJson(output.Value, substitute) },
    ]),
  );
  Object.assign(template.Outputs, outputs);
  return { template, takenOut, tokens };
}

function missing(what: string): never {
  throw new Error(`moto's copy of the template: no value for ${what}, a resource the test creates`);
}

/** A taken-out resource's properties with its tokens filled from the stack's outputs. */
export function resolvedProperties(
  resource: TakenOut,
  tokens: Map<string, string>,
  outputs: Record<string, string>,
): Record<string, Json> {
  return mapJson(resource.properties, (node) => {
    if (typeof node !== 'string' || !node.startsWith('{{resolve:')) return undefined;
    const output = tokens.get(node);
    const value = output ? outputs[output] : undefined;
    if (value === undefined) throw new Error(`${resource.logicalId}: moto resolved no value for ${node}`);
    return value;
  }) as Record<string, Json>;
}
