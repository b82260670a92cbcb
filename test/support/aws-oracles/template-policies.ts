/**
 * The IAM policies of the synthesized CloudFormation template, per Lambda function, with CloudFormation's
 * intrinsic functions resolved to the names a test world uses. Read from the template (what `cdk deploy` would
 * create), never from the adapters' own IAM lists, so the IAM oracle checks what would actually be deployed.
 */

import type { IamRequest } from './iam-requests.js';

export const ORACLE_ACCOUNT = '123456789012';

/** Step Functions developer guide, "IAM policies for logging to CloudWatch Logs": what the role needs. */
const STEP_FUNCTIONS_LOGGING = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
/** Step Functions developer guide, "AWS X-Ray and Step Functions": what the role needs to send traces. */
const STEP_FUNCTIONS_TRACING = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
export const ORACLE_REGION = 'us-east-1';

export interface PolicyDocument {
  Version: string;
  Statement: {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: unknown;
    Condition?: unknown;
  }[];
}

export interface RolePolicies {
  roleLogicalId: string;
  policies: { name: string; document: PolicyDocument }[];
}

type CfnResource = { Type: string; Properties?: Record<string, unknown> };
type CfnTemplate = { Resources: Record<string, CfnResource> };

/** Physical names for resources the world names itself (by logical-id prefix), e.g. the artifact bucket. */
export type PhysicalNames = Record<string, string>;

export class TemplatePolicies {
  constructor(
    private readonly template: CfnTemplate,
    private readonly names: PhysicalNames = {},
  ) {}

  /** Lambda function name (its `bakeshift <Name>` description) → its role's resolved policies. */
  byFunction(): Map<string, RolePolicies> {
    const found = new Map<string, RolePolicies>();
    for (const resource of Object.values(this.template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const name = /^bakeshift (\w+)$/.exec(String(resource.Properties?.Description ?? ''))?.[1];
      const role = (resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
      if (name && role) found.set(name, this.rolePolicies(role));
    }
    return found;
  }

  /**
   * What AWS services do with roles of their own, as documented: the state machine invokes its Task functions
   * and, with logging and tracing on, manages log delivery and writes traces (Step Functions developer guide,
   * "Logging using CloudWatch Logs", "AWS X-Ray"); each schedule invokes its target and sends what it cannot
   * deliver to its dead-letter queue (EventBridge Scheduler user guide, "Setting up the execution role").
   */
  serviceRoleRequests(): { role: string; policies: RolePolicies; requests: IamRequest[] }[] {
    const found: { role: string; policies: RolePolicies; requests: IamRequest[] }[] = [];
    const roleOf = (value: unknown) =>
      (value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0] ?? '';
    const request = (action: string, resource: string, because: string): IamRequest => ({
      action,
      resource,
      context: {},
      because,
    });
    for (const [id, r] of Object.entries(this.template.Resources)) {
      // An instance role: the CloudWatch agent ships the app's log with it (one stream per instance).
      if (r.Type === 'AWS::IAM::Role' && r.Properties?.Path === '/bakeshift/') {
        const group = this.logicalIdOf('AWS::Logs::LogGroup', id.replace(/InstanceRole.*$/, 'InstanceLogs'));
        const stream = `${this.arnOf(group).replace(/:\*$/, '')}:log-stream:i-0123456789abcdef0`;
        found.push({
          role: `Instances ${id}`,
          policies: this.rolePolicies(id),
          requests: ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) =>
            request(action, stream, 'the CloudWatch agent on an instance'),
          ),
        });
      }
      if (r.Type === 'AWS::StepFunctions::StateMachine') {
        const role = roleOf(r.Properties?.RoleArn);
        const substitutions = (r.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
        const because = `the state machine ${id}`;
        found.push({
          role: `StateMachine ${id}`,
          policies: this.rolePolicies(role),
          requests: [
            ...Object.values(substitutions).map((arn) =>
              request('lambda:InvokeFunction', String(this.resolve(arn)), because),
            ),
            ...STEP_FUNCTIONS_LOGGING.map((action) => request(action, '*', `${because} (logging)`)),
            ...STEP_FUNCTIONS_TRACING.map((action) => request(action, '*', `${because} (X-Ray)`)),
          ],
        });
      }
      if (r.Type === 'AWS::Scheduler::Schedule') {
        const target = (r.Properties?.Target ?? {}) as {
          Arn?: unknown;
          RoleArn?: unknown;
          DeadLetterConfig?: { Arn?: unknown };
        };
        const role = roleOf(target.RoleArn);
        const existing = found.find((f) => f.role === `Scheduler ${role}`);
        const requests = [
          request('lambda:InvokeFunction', String(this.resolve(target.Arn)), `schedule ${id}`),
          ...(target.DeadLetterConfig?.Arn
            ? [
                request(
                  'sqs:SendMessage',
                  String(this.resolve(target.DeadLetterConfig.Arn)),
                  `schedule ${id} (undelivered)`,
                ),
              ]
            : []),
        ];
        if (existing) existing.requests.push(...requests);
        else found.push({ role: `Scheduler ${role}`, policies: this.rolePolicies(role), requests });
      }
    }
    return found;
  }

  /** The managed policies the stack outputs for people, by kind (Viewer, Deployer, Approver). */
  operatorPolicies(): Map<string, RolePolicies> {
    const found = new Map<string, RolePolicies>();
    for (const [id, r] of Object.entries(this.template.Resources)) {
      const kind = /^Operator(Viewer|Deployer|Approver)Policy/.exec(id)?.[1];
      if (r.Type !== 'AWS::IAM::ManagedPolicy' || !kind) continue;
      const document = this.resolve(r.Properties?.PolicyDocument) as PolicyDocument;
      found.set(kind, { roleLogicalId: id, policies: [{ name: id, document }] });
    }
    return found;
  }

  /** An SSM parameter's value as the stack writes it, resolved (e.g. the operator's settings). */
  parameterValue(name: string): string {
    const found = Object.values(this.template.Resources).find(
      (r) => r.Type === 'AWS::SSM::Parameter' && r.Properties?.Name === name,
    );
    if (!found) throw new Error(`no SSM parameter ${name} in the template`);
    return String(this.resolve(found.Properties?.Value));
  }

  /** A function's environment variables as deployed (names and ARNs the world must use too). */
  environmentOf(functionName: string): Record<string, string> {
    const fn = Object.values(this.template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Description === `bakeshift ${functionName}`,
    );
    const variables =
      (fn?.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
    return this.resolve(variables) as Record<string, string>;
  }

  /** The ARN of the function's own log group (what the Lambda runtime writes to with its role). */
  logGroupArnOf(functionName: string): string {
    const fn = Object.values(this.template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Description === `bakeshift ${functionName}`,
    );
    const group = (fn?.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup
      ?.Ref;
    if (!group) throw new Error(`${functionName} has no log group of its own`);
    return this.arnOf(group);
  }

  /**
   * The queue Lambda sends a function's failed asynchronous events to (its EventInvokeConfig's OnFailure
   * destination): Lambda sends them with the function's own role (Lambda developer guide, "Destinations").
   */
  failureDestinationOf(functionName: string): string | undefined {
    const fnId = Object.entries(this.template.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties?.Description === `bakeshift ${functionName}`,
    )?.[0];
    const config = Object.values(this.template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::EventInvokeConfig' &&
        (r.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === fnId,
    );
    const destination = (config?.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } })
      ?.OnFailure?.Destination;
    return destination ? String(this.resolve(destination)) : undefined;
  }

  /** Every policy attached to a role: its inline policies and each AWS::IAM::Policy naming it. */
  rolePolicies(roleLogicalId: string): RolePolicies {
    const role = this.template.Resources[roleLogicalId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an IAM role`);
    const inline = (
      (role.Properties?.Policies as { PolicyName: string; PolicyDocument: unknown }[]) ?? []
    ).map((p) => ({ name: p.PolicyName, document: this.resolve(p.PolicyDocument) as PolicyDocument }));
    const attached = Object.entries(this.template.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties?.Roles ?? []).includes(`"Ref":"${roleLogicalId}"`),
      )
      .map(([id, r]) => ({
        name: id,
        document: this.resolve(r.Properties?.PolicyDocument) as PolicyDocument,
      }));
    return { roleLogicalId, policies: [...inline, ...attached] };
  }

  /** The physical name: the one the template gives, or the world's (by logical-id prefix), else the logical id. */
  physicalName(logicalId: string): string {
    const properties = this.template.Resources[logicalId]?.Properties ?? {};
    const named = ['LogGroupName', 'TableName', 'BucketName', 'QueueName', 'FunctionName', 'RoleName'].find(
      (key) => typeof properties[key] === 'string',
    );
    if (named) return properties[named] as string;
    const prefix = Object.keys(this.names).find((p) => logicalId.startsWith(p));
    return prefix ? (this.names[prefix] as string) : logicalId;
  }

  /** The first resource of a type whose logical id starts with the prefix. */
  logicalIdOf(type: string, prefix = ''): string {
    const id = Object.entries(this.template.Resources).find(
      ([logicalId, r]) => r.Type === type && logicalId.startsWith(prefix),
    )?.[0];
    if (!id) throw new Error(`no ${type} ${prefix} in the template`);
    return id;
  }

  arnOf(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    const name = this.physicalName(logicalId);
    const at = `${ORACLE_REGION}:${ORACLE_ACCOUNT}`;
    switch (resource?.Type) {
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ORACLE_ACCOUNT}:role/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${at}:log-group:${name}:*`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${at}:table/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${at}:${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${at}:function:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${at}:stateMachine:${name}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${at}:secret:${name}-AbCdEf`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${at}:event-bus/${name}`;
      case 'AWS::SSM::Parameter':
        return `arn:aws:ssm:${at}:parameter/${name}`;
      default:
        return `arn:aws:unknown:${at}:${name}`;
    }
  }

  /** What Ref returns, by resource type (the name for most, the ARN for these). */
  private ref(logicalId: string): string {
    if (logicalId === 'AWS::Partition') return 'aws';
    if (logicalId === 'AWS::Region') return ORACLE_REGION;
    if (logicalId === 'AWS::AccountId') return ORACLE_ACCOUNT;
    if (logicalId === 'AWS::URLSuffix') return 'amazonaws.com';
    if (logicalId === 'AWS::StackName') return 'bakeshift';
    const type = this.template.Resources[logicalId]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine' || type === 'AWS::SecretsManager::Secret')
      return this.arnOf(logicalId);
    return this.physicalName(logicalId);
  }

  private resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return this.ref(String(object.Ref));
    if ('Fn::GetAtt' in object) {
      const [id, attribute] = object['Fn::GetAtt'] as [string, string];
      if (attribute === 'Arn') return this.arnOf(id);
      return `${this.physicalName(id)}.${attribute}`;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => this.resolve(p)).join(separator);
    }
    if ('Fn::Sub' in object) {
      const sub = object['Fn::Sub'];
      const [text, variables] = Array.isArray(sub)
        ? (sub as [string, Record<string, unknown>])
        : [sub as string, {}];
      return text.replace(/\$\{([\w:.]+)\}/g, (_, name: string) => {
        if (name in variables) return String(this.resolve(variables[name]));
        const [id, attribute] = name.split('.');
        return attribute ? String(this.resolve({ 'Fn::GetAtt': [id, attribute] })) : this.ref(name);
      });
    }
    const unknown = Object.keys(object).find((k) => k.startsWith('Fn::'));
    if (unknown) throw new Error(`the IAM oracle cannot resolve ${unknown} in a policy`);
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, this.resolve(v)]));
  }
}
