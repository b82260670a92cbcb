import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AwsEnvironmentSettings,
  AwsOperatorSettings,
  AwsProviderSettings,
  environmentParameter,
  OPERATOR_PARAMETER,
  PROVIDER_PARAMETER,
} from '../../aws/commons/aws-settings.js';
import { serviceConfigParameter } from '../../aws/configs/ssm-service-configs.js';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { JANITOR_SCHEDULE } from '../../infra/constructs/nightly-schedules.js';
import { iamOf, LAMBDA_FUNCTIONS, PORT_NEEDS } from '../../infra/lambda-catalog.js';
import {
  type AslDefinition,
  DEPLOY_DEFINITION_PATH,
  substituteFunctionArns,
  taskStatesOf,
} from '../../statemachines/deploy-definition.js';
import { synthBakeshift } from '../support/synth-bakeshift.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
let synth: Awaited<ReturnType<typeof synthBakeshift>>;
let resources: Record<string, Resource>;
// One real synth for the file: esbuild bundles every function and cdk-nag checks every resource.
beforeAll(async () => {
  synth = await synthBakeshift();
  resources = synth.template.toJSON().Resources as Record<string, Resource>;
}, 180_000);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Every action allowed on Resource "*", and why nothing narrower exists. */
const STAR_RESOURCE_ACTIONS: Record<string, string> = {
  'ec2:DescribeImages': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeInstances': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeLaunchTemplateVersions': 'EC2 Describe* actions support no resource-level permissions',
  'autoscaling:DescribeAutoScalingGroups':
    'Auto Scaling Describe* actions support no resource-level permissions',
  'elasticloadbalancing:DescribeListeners': 'ELB Describe* actions support no resource-level permissions',
  'elasticloadbalancing:DescribeRules': 'ELB Describe* actions support no resource-level permissions',
  'elasticloadbalancing:DescribeTargetHealth': 'ELB Describe* actions support no resource-level permissions',
  'elasticloadbalancing:DescribeTargetGroupAttributes':
    'ELB Describe* actions support no resource-level permissions',
  'cloudwatch:GetMetricData':
    "AWS's authorization reference lists only an optional dataset type for GetMetricData",
  'states:SendTaskSuccess': "AWS's authorization reference lists no resource type for SendTaskSuccess",
  'states:SendTaskFailure': "AWS's authorization reference lists no resource type for SendTaskFailure",
  // The state machine's role, granted by CDK for logging and tracing.
  'logs:CreateLogDelivery': 'CloudWatch Logs delivery actions support no resource-level permissions',
  'logs:GetLogDelivery': 'CloudWatch Logs delivery actions support no resource-level permissions',
  'logs:UpdateLogDelivery': 'CloudWatch Logs delivery actions support no resource-level permissions',
  'logs:DeleteLogDelivery': 'CloudWatch Logs delivery actions support no resource-level permissions',
  'logs:ListLogDeliveries': 'CloudWatch Logs delivery actions support no resource-level permissions',
  'logs:PutResourcePolicy': 'CloudWatch Logs resource policies support no resource-level permissions',
  'logs:DescribeResourcePolicies': 'CloudWatch Logs resource policies support no resource-level permissions',
  'logs:DescribeLogGroups': 'CloudWatch Logs DescribeLogGroups supports no resource-level permissions',
  'xray:PutTraceSegments': 'X-Ray supports no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray supports no resource-level permissions',
  'xray:GetSamplingRules': 'X-Ray supports no resource-level permissions',
  'xray:GetSamplingTargets': 'X-Ray supports no resource-level permissions',
};

/** Invoked by EventBridge rules and Scheduler, whose failures must land in a queue. */
const ASYNCHRONOUSLY_INVOKED = [
  'StartDeploymentFromArtifact',
  'AdvanceBakeOnEvent',
  'StartCongruenceRun',
  'RunJanitor',
];

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}
const listOf = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of a role: its inline policies and the policies attached to it. */
function statementsOfRole(roleId: string): Statement[] {
  const role = resources[roleId] as Resource;
  const inline = (
    (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
  ).flatMap((p) => p.PolicyDocument.Statement);
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

function functionNamed(name: string): { id: string; fn: Resource } {
  const found = ofType('AWS::Lambda::Function').find(
    ([, r]) => r.Properties.Description === `bakeshift ${name}`,
  );
  if (!found) throw new Error(`no function ${name}`);
  return { id: found[0], fn: found[1] };
}

describe('the CDK app (cdk synth, with cdk-nag)', () => {
  it('synthesizes with no unacknowledged cdk-nag AwsSolutions finding, every acknowledgement with a reason', () => {
    // synthBakeshift throws on an unacknowledged finding; here, every acknowledgement says why.
    const acknowledged = synth.assembly.getStackArtifact(synth.stack.artifactId).manifest.metadata ?? {};
    expect(Object.keys(resources).length).toBeGreaterThan(50);
    for (const entries of Object.values(acknowledged)) {
      for (const entry of entries) {
        if (
          entry.type !== 'aws:cdk:acknowledged-validations' &&
          entry.type !== 'aws:cdk:validations:acknowledge'
        )
          continue;
        expect(JSON.stringify(entry.data)).toMatch(/reason/);
      }
    }
  });

  it('the artifact bucket: versioned, encrypted, public access blocked, TLS only, EventBridge notifications on', () => {
    const [[id, bucket] = []] = ofType('AWS::S3::Bucket').filter(
      ([, b]) =>
        (b.Properties.VersioningConfiguration as { Status?: string } | undefined)?.Status === 'Enabled',
    );
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LoggingConfiguration: expect.anything(),
    });
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('the trigger rule: S3 Object Created under <service>/<env>/<version>.tgz → the trigger function, with a DLQ', () => {
    const { id } = functionNamed('StartDeploymentFromArtifact');
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [Match.anyValue()] }, object: { key: [{ wildcard: '*/*/*.tgz' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id, 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    // What fails inside the function, after Lambda's retries, is kept too.
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
    });
  });

  it('AMI state changes, stopped builders and bake results resume the waiting bake', () => {
    const { id } = functionNamed('AdvanceBakeOnEvent');
    for (const [detailType, detail] of [
      ['EC2 AMI State Change', { State: ['available', 'failed'] }],
      ['EC2 Instance State-change Notification', { state: ['stopped'] }],
      [
        'Object Created',
        { bucket: { name: [Match.anyValue()] }, object: { key: [{ prefix: 'bake-results/' }] } },
      ],
    ] as const) {
      synth.template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ 'detail-type': [detailType], detail }),
        Targets: [
          Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] }, DeadLetterConfig: Match.anyValue() }),
        ],
      });
    }
  });

  it('the janitor also runs when a deployment succeeds or is rolled back, for that service', () => {
    const { id } = functionNamed('RunJanitor');
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['bakeshift'],
        'detail-type': ['Deployment Succeeded', 'Deployment Rolled Back'],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id, 'Arn'] },
          InputTransformer: {
            InputPathsMap: { 'detail-service': '$.detail.service' },
            InputTemplate: '{"service":<detail-service>}',
          },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('every function: Node 22 on arm64, ESM bundle, log retention set, timeout below its Tasks’ TimeoutSeconds', () => {
    const definition = JSON.parse(
      readFileSync(new URL('../../statemachines/deploy.asl.json', import.meta.url), 'utf8'),
    ) as AslDefinition;
    const tasks = taskStatesOf(definition);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(LAMBDA_FUNCTIONS.length);
    for (const spec of LAMBDA_FUNCTIONS) {
      const { fn } = functionNamed(spec.name);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: spec.timeoutSeconds,
        LoggingConfig: { LogGroup: expect.anything() },
      });
      for (const task of tasks.filter((t) => t.functionName === spec.name && !t.callback)) {
        expect(task.timeoutSeconds, `${task.stateName}`).toBeGreaterThan(spec.timeoutSeconds);
      }
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it("every function's role holds exactly its ports' statements for the operations it uses; no * action; * resource only for the listed actions", () => {
    for (const spec of LAMBDA_FUNCTIONS) {
      const { fn } = functionNamed(spec.name);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = statementsOfRole(roleId);
      const expected = new Set([
        'WriteOwnLogs',
        ...iamOf(spec).map((s) => s.sid),
        ...(spec.ports.some((p) => PORT_NEEDS[p].secrets) ? ['ReadSlackSecrets'] : []),
      ]);
      // Asynchronously invoked functions may also send their failed events to a dead-letter queue.
      const toQueue = statements.filter((s) => listOf(s.Action).every((a) => a.startsWith('sqs:')));
      expect(toQueue.length > 0, spec.name).toBe(ASYNCHRONOUSLY_INVOKED.includes(spec.name));
      for (const statement of toQueue) {
        const queue = (statement.Resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        expect(resources[queue]?.Type).toBe('AWS::SQS::Queue');
      }
      const own = statements.filter((s) => !toQueue.includes(s));
      expect(new Set(own.map((s) => s.Sid)), spec.name).toEqual(expected);
      for (const statement of statements) {
        for (const action of listOf(statement.Action)) expect(action).not.toContain('*');
        if (listOf(statement.Resource).includes('*'))
          for (const action of listOf(statement.Action))
            expect(STAR_RESOURCE_ACTIONS, `${spec.name} ${statement.Sid}`).toHaveProperty([action]);
      }
    }
    for (const [roleId] of ofType('AWS::IAM::Role'))
      for (const statement of statementsOfRole(roleId)) {
        for (const action of listOf(statement.Action)) expect(action, roleId).not.toContain('*');
        if (listOf(statement.Resource).includes('*'))
          for (const action of listOf(statement.Action))
            expect(STAR_RESOURCE_ACTIONS, roleId).toHaveProperty([action]);
      }
  });

  it('iam:PassRole only for the instance roles, only to EC2, only for functions that launch instances', () => {
    const passers = LAMBDA_FUNCTIONS.filter((spec) =>
      iamOf(spec).some((s) => s.actions.includes('iam:PassRole')),
    ).map((s) => s.name);
    expect(passers).toEqual(['LaunchGreen']);
    expect(passers).toContain('LaunchGreen');
    const instanceRoles = ofType('AWS::IAM::Role')
      .filter(([, r]) => r.Properties.Path === '/bakeshift/')
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(instanceRoles).toHaveLength(2);
    for (const spec of LAMBDA_FUNCTIONS) {
      const { fn } = functionNamed(spec.name);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const passRole = statementsOfRole(roleId).filter((s) => listOf(s.Action).includes('iam:PassRole'));
      if (!passers.includes(spec.name)) {
        expect(passRole, spec.name).toEqual([]);
        continue;
      }
      expect(passRole, spec.name).toEqual([
        expect.objectContaining({
          Resource: instanceRoles,
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        }),
      ]);
    }
  });

  it('the state machine: the ASL file with every function substituted, valid, logged, traced', () => {
    const [[, machine] = []] = ofType('AWS::StepFunctions::StateMachine');
    const props = machine?.Properties as {
      DefinitionS3Location: { Key: string };
      DefinitionSubstitutions: Record<string, { 'Fn::GetAtt': [string, string] }>;
      LoggingConfiguration: unknown;
      TracingConfiguration: unknown;
    };
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    // DefinitionBody.fromFile uploads the file as an asset; CloudFormation substitutes the placeholders.
    const definition = readFileSync(
      join(synth.assembly.directory, `asset.${props.DefinitionS3Location.Key}`),
      'utf8',
    );
    expect(definition).toBe(readFileSync(DEPLOY_DEFINITION_PATH, 'utf8'));
    const substituted = substituteFunctionArns(definition, (name) => {
      const arn = props.DefinitionSubstitutions[`${name}FunctionArn`];
      expect(arn, name).toBeDefined();
      expect(resources[arn?.['Fn::GetAtt'][0] ?? '']?.Type).toBe('AWS::Lambda::Function');
      return `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
    });
    expect(substituted).not.toMatch(/\$\{/);
    const result = aslValidator(JSON.parse(substituted), { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
  });

  it('the release table: pk/sk, the gsi1 history index, point-in-time recovery, retained on delete', () => {
    synth.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      }),
    });
  });

  it('schedules: each congruence cron in its time zone → StartCongruenceRun, and a nightly janitor; retries and a DLQ', () => {
    const congruence = functionNamed('StartCongruenceRun').id;
    const janitor = functionNamed('RunJanitor').id;
    synth.template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    for (const [environment, cron] of [
      ['staging', 'cron(0 3 * * ? *)'],
      ['prod', 'cron(0 4 ? * SUN *)'],
    ] as const) {
      synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: cron,
        ScheduleExpressionTimezone: 'Europe/Paris',
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [congruence, 'Arn'] },
          Input: JSON.stringify({ service: 'hello', environment }),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      });
    }
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: JANITOR_SCHEDULE,
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [janitor, 'Arn'] },
        Input: JSON.stringify({ service: 'hello', dryRun: false }),
      }),
    });
  });

  it('Slack secrets live in Secrets Manager: functions get their ARNs, never their values', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([id]) => id);
    expect(secrets).toHaveLength(2);
    const { fn } = functionNamed('SlackInteractivity');
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.BAKESHIFT_SLACK_SIGNING_SECRET).toEqual({
      Ref: expect.stringMatching(/SlackSigningSecret/),
    });
    expect(variables.BAKESHIFT_SLACK_BOT_TOKEN_SECRET).toEqual({
      Ref: expect.stringMatching(/SlackBotToken/),
    });
    for (const [, lambda] of ofType('AWS::Lambda::Function')) {
      const text = JSON.stringify(lambda.Properties.Environment ?? {});
      expect(text).not.toMatch(/SecretString|resolve:secretsmanager|xoxb-/);
    }
    synth.template.resourceCountIs('AWS::Lambda::Url', 3);
  });

  it("the operator's access: the decision endpoint takes only IAM-signed calls; one managed policy per kind of person", () => {
    const urls = ofType('AWS::Lambda::Url').map(([, url]) => url.Properties);
    const decision = urls.find((url) => JSON.stringify(url.TargetFunctionArn).includes('OperatorDecision'));
    expect(decision?.AuthType).toBe('AWS_IAM');
    expect(urls.filter((url) => url.AuthType === 'NONE')).toHaveLength(2);
    const policies = ofType('AWS::IAM::ManagedPolicy').map(([id]) => id);
    expect(policies.map((id) => id.replace(/^Operator|Policy[0-9A-F]+$/g, '')).sort()).toEqual([
      'Approver',
      'Deployer',
      'Viewer',
    ]);
    const outputs = Object.keys(synth.template.toJSON().Outputs ?? {});
    expect(outputs).toEqual(
      expect.arrayContaining(['ViewerPolicyArn', 'DeployerPolicyArn', 'ApproverPolicyArn', 'DecisionUrl']),
    );
  });

  it('per service and environment: an ALB, listener and preview listener, two target groups, settings in SSM', () => {
    synth.template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
    synth.template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 4);
    const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener');
    expect(listeners).toHaveLength(4);
    // CloudFormation's listener has no Tags in every region (cfn-lint E3002): none are written, none relied on.
    for (const [, listener] of listeners) expect(listener.Properties.Tags).toBeUndefined();
    // The traffic functions may modify these four listeners, by ARN, and no other.
    const shifting = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Sid === 'ShiftOnlyItsListeners');
    expect(shifting.length).toBeGreaterThan(0);
    for (const statement of shifting) {
      const refs = listOf(statement.Resource as { Ref?: string }[]).map((r) => r.Ref);
      expect(refs.sort()).toEqual(listeners.map(([id]) => id).sort());
    }
    for (const name of [
      '/bakeshift/provider',
      '/bakeshift/services/hello/config',
      '/bakeshift/services/hello/staging',
      '/bakeshift/services/hello/prod',
    ])
      synth.template.hasResourceProperties('AWS::SSM::Parameter', { Name: name });
    synth.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 10,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]),
    });
  });

  it('the SSM settings it writes are what the AWS adapters read (their own schemas, tokens given plausible values)', () => {
    const fake = (intrinsic: unknown): string => {
      if (typeof intrinsic === 'string') return intrinsic;
      const {
        Ref,
        'Fn::GetAtt': getAtt,
        'Fn::Join': join,
      } = intrinsic as {
        Ref?: string;
        'Fn::GetAtt'?: [string, string];
        'Fn::Join'?: [string, unknown[]];
      };
      if (join) return join[1].map(fake).join(join[0]);
      const id = Ref ?? getAtt?.[0] ?? '';
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': 'eu-west-1',
        'AWS::AccountId': '123456789012',
      };
      if (pseudo[id]) return pseudo[id];
      const plausible: Record<string, string> = {
        'AWS::Lambda::Url': `https://${id.toLowerCase()}.lambda-url.eu-west-1.on.aws/`,
        'AWS::Lambda::Function': id,
        'AWS::Logs::LogGroup': id,
        'AWS::DynamoDB::Table': id,
        'AWS::ElasticLoadBalancingV2::Listener': `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/lb/1/${id}`,
        'AWS::ElasticLoadBalancingV2::TargetGroup': `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${id}/1`,
        'AWS::ElasticLoadBalancingV2::LoadBalancer': `${id}.eu-west-1.elb.amazonaws.com`,
        'AWS::EC2::Subnet': `subnet-${id}`,
        'AWS::EC2::SecurityGroup': `sg-${id}`,
        'AWS::IAM::InstanceProfile': `arn:aws:iam::123456789012:instance-profile/${id}`,
        'AWS::S3::Bucket': id.toLowerCase(),
      };
      const value = plausible[resources[id]?.Type ?? ''];
      if (!value) throw new Error(`no plausible value for ${JSON.stringify(intrinsic)}`);
      return value;
    };
    const parameter = (name: string) => {
      const found = ofType('AWS::SSM::Parameter').find(([, p]) => p.Properties.Name === name);
      return JSON.parse(fake(found?.[1].Properties.Value)) as unknown;
    };
    expect(AwsProviderSettings.parse(parameter(PROVIDER_PARAMETER)).artifactBucket).toMatch(/^artifacts/);
    for (const environment of ['staging', 'prod']) {
      const settings = AwsEnvironmentSettings.parse(parameter(environmentParameter('hello', environment)));
      expect(settings.targetGroupArns[0]).not.toBe(settings.targetGroupArns[1]);
      expect(settings.subnetIds).toHaveLength(2);
    }
    const operator = AwsOperatorSettings.parse(parameter(OPERATOR_PARAMETER));
    expect(operator.services).toEqual(['hello']);
    expect(operator.stateMachineArn).toBe(
      'arn:aws:states:eu-west-1:123456789012:stateMachine:bakeshift-deploy',
    );
    const config = parseServiceConfig(parameter(serviceConfigParameter('hello')), 'the config parameter');
    expect(config.environments.prod?.approval).toMatchObject({ required: true });
  });

  it('bundles each function with only the SDK clients its ports need', () => {
    // An SDK operation's name is in the bundle exactly when its client and command are.
    const bundles = (name: string, operation: string) => {
      const { fn } = functionNamed(name);
      const key = String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      return readFileSync(join(synth.assembly.directory, `asset.${key}`, 'index.mjs'), 'utf8').includes(
        `"${operation}"`,
      );
    };
    expect(bundles('LaunchGreen', 'CreateLaunchTemplateVersion')).toBe(true);
    expect(bundles('BakeImage', 'RunInstances')).toBe(true);
    for (const name of ['ReleaseLock', 'CommitRelease', 'StartDeploymentFromArtifact'])
      expect(bundles(name, 'CreateLaunchTemplateVersion'), name).toBe(false);
    // Launching reads images with EC2 alone: no S3 client (ADR 19).
    expect(bundles('BakeImage', 'GetObject')).toBe(true);
    expect(bundles('LaunchGreen', 'GetObject')).toBe(false);
    // Only the EC2 schemas it reaches: an operation BakeImage never calls is not in its bundle (ADR 24).
    expect(bundles('BakeImage', 'WithdrawByoipCidr')).toBe(false);
  });
});
