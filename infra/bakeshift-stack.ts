import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type AwsProviderSettings, PROVIDER_PARAMETER } from '../aws/commons/aws-settings.js';
import { serviceConfigParameter } from '../aws/configs/ssm-service-configs.js';
import { DETAIL_TYPES, EVENT_SOURCE } from '../aws/events/eventbridge-notifier.js';
import { parseSecretReference } from '../core/config/secret-reference.js';
import { taskFunctions } from '../functions/catalog.js';
import { RELEASE_TABLE } from '../shared-adapters/release-store/release-table.js';
import { DEPLOY_DEFINITION_PATH } from '../statemachines/deploy-definition.js';
import { ignoreCfnLintCheck } from './cfn-lint-ignores.js';
import { BakeshiftFunctions } from './constructs/bakeshift-functions.js';
import { DeploymentsDashboard } from './constructs/deployments-dashboard.js';
import { NightlySchedules } from './constructs/nightly-schedules.js';
import { OperatorAccess } from './constructs/operator-access.js';
import { ServiceEnvironment } from './constructs/service-environment.js';
import { deadLetterQueue, keepFailedInvocations } from './dead-letters.js';
import type { ServiceDefinition } from './load-services.js';

export interface ExistingVpc {
  vpcId: string;
  vpcCidrBlock: string;
  availabilityZones: string[];
  publicSubnetIds: string[];
  isolatedSubnetIds: string[];
}

export interface BakeshiftStackProps extends StackProps {
  services: ServiceDefinition[];
  /** A VPC to use; without it the stack creates one with no NAT gateway (nothing billed while idle). */
  vpc?: ExistingVpc;
  logRetention?: RetentionDays;
  /** Where the functions export each deployment's trace (OTLP/HTTP); none without it. */
  otlpEndpoint?: string;
}

const BAKE_RESULTS_PREFIX = 'bake-results/';

/** Everything bakeshift needs in one account and region; `infra/README.md` says what each part is for. */
export class BakeshiftStack extends Stack {
  readonly functions: BakeshiftFunctions;
  readonly stateMachine: StateMachine;
  readonly artifacts: Bucket;

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: the stack's resources declared in dependency order, each one construct call
  constructor(scope: Construct, id: string, props: BakeshiftStackProps) {
    super(scope, id, props);
    // Access logs are delivered under a bucket policy, not ACLs (every bucket has ACLs disabled).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'this bucket receives the access logs of the others; logging its own access would loop',
    });

    this.artifacts = new Bucket(this, 'Artifacts', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        { prefix: BAKE_RESULTS_PREFIX, expiration: Duration.days(30) },
        { noncurrentVersionExpiration: Duration.days(365) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // EventBridge notifications as a bucket property: no custom resource (and no Lambda) to set them.
    (this.artifacts.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    const table = new Table(this, 'Releases', {
      partitionKey: { name: RELEASE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: RELEASE_TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: RELEASE_TABLE.timeToLive,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: RELEASE_TABLE.historyIndex,
      partitionKey: { name: RELEASE_TABLE.historyPartitionKey, type: AttributeType.STRING },
      sortKey: { name: RELEASE_TABLE.historySortKey, type: AttributeType.STRING },
    });

    const vpc = this.network(props.vpc, logs, secretStores(props.services));
    const builders = new SecurityGroup(this, 'BuilderSecurityGroup', {
      vpc,
      description: 'bakeshift builders: no inbound rule, they are never reached',
    });
    const [builderSubnetId] = vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED }).subnetIds;
    if (!builderSubnetId)
      throw new Error('vpc: no isolated subnet for builders (isolatedSubnetIds is empty)');
    const provider: AwsProviderSettings = {
      artifactBucket: this.artifacts.bucketName,
      bakeResultsPrefix: BAKE_RESULTS_PREFIX,
      builderSubnetId,
      builderSecurityGroupId: builders.securityGroupId,
      builderInstanceType: 't3.small',
    };
    new StringParameter(this, 'ProviderSettings', {
      parameterName: PROVIDER_PARAMETER,
      description: 'bakeshift: the artifact bucket and the builder network',
      stringValue: this.toJsonString(provider),
    });

    const slack = {
      botToken: new Secret(this, 'SlackBotToken', { description: 'bakeshift: the Slack bot token (xoxb-…)' }),
      signingSecret: new Secret(this, 'SlackSigningSecret', {
        description: "bakeshift: the Slack app's signing secret",
      }),
    };
    for (const secret of Object.values(slack))
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Slack issues these values; they are rotated in the Slack app, then pasted here',
      });

    const stateMachineName = `${this.stackName}-deploy`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const eventBusArn = this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    this.functions = new BakeshiftFunctions(this, 'Functions', {
      releaseTableName: table.tableName,
      stateMachineArn,
      eventBusName: 'default',
      slack,
      logRetention,
      ...(props.otlpEndpoint ? { otlpEndpoint: props.otlpEndpoint } : {}),
      placeholders: {
        ArtifactBucket: this.artifacts.bucketName,
        ReleaseTable: table.tableName,
        StateMachineArn: stateMachineArn,
        StateMachineName: stateMachineName,
        EventBusArn: eventBusArn,
      },
    });

    this.stateMachine = this.deploymentStateMachine(stateMachineName, logRetention);
    this.eventTriggers();
    this.slackEndpoints();

    const environments = props.services.flatMap((service) => this.service(service, vpc, logs, logRetention));
    this.functions.allowEnvironments({
      InstanceRoleArn: environments.map((e) => e.instanceRoleArn),
      ListenerArns: environments.flatMap((e) => e.listenerArns),
    });
    new NightlySchedules(this, 'Schedules', { services: props.services, functions: this.functions });
    new DeploymentsDashboard(this, 'Deployments', {
      services: props.services,
      dashboardName: this.stackName,
    });
    new OperatorAccess(this, 'Operator', {
      stateMachineName,
      stateMachineArn,
      releaseTableName: table.tableName,
      artifactBucketName: this.artifacts.bucketName,
      services: props.services.map((s) => s.config.service),
      decision: this.functions.get('OperatorDecision'),
      congruence: this.functions.get('StartCongruenceRun'),
      janitor: this.functions.get('RunJanitor'),
      logRetention,
    });

    new CfnOutput(this, 'ArtifactBucketName', { value: this.artifacts.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ReleaseTableName', { value: table.tableName });
  }

  /**
   * The VPC: instances run in isolated subnets; with secrets, they reach SSM and Secrets Manager through
   * interface endpoints (only those the configurations use; an existing VPC must provide its own).
   */
  private network(existing: ExistingVpc | undefined, logs: Bucket, stores: Set<string>): IVpc {
    if (existing) return Vpc.fromVpcAttributes(this, 'Vpc', existing);
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Builders fetch artifacts and report results through S3 without any internet route.
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
    });
    vpc.addFlowLog('FlowLogs', { destination: FlowLogDestination.toS3(logs, 'vpc-flow-logs/') });
    const endpoints = [
      ['SsmEndpoint', 'ssm', InterfaceVpcEndpointAwsService.SSM],
      ['SecretsManagerEndpoint', 'secretsmanager', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    ] as const;
    for (const [id, store, service] of endpoints.filter(([, store]) => stores.has(store))) {
      const endpoint = vpc.addInterfaceEndpoint(id, {
        service,
        subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      });
      Validations.of(endpoint).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: `the ${store} endpoint accepts HTTPS from the VPC's own CIDR block only (a token at synth, which the rule cannot read)`,
      });
    }
    return vpc;
  }

  private deploymentStateMachine(stateMachineName: string, logRetention: RetentionDays): StateMachine {
    const taskFns = Object.keys(taskFunctions).map((name) => ({
      name,
      fn: this.functions.get(name as keyof typeof taskFunctions),
    }));
    const machine = new StateMachine(this, 'Deploy', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(DEPLOY_DEFINITION_PATH.pathname),
      definitionSubstitutions: Object.fromEntries(
        taskFns.map(({ name, fn }) => [`${name}FunctionArn`, fn.functionArn]),
      ),
      logs: {
        destination: new LogGroup(this, 'DeployLogs', { retention: logRetention }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
      tracingEnabled: true,
    });
    // Exactly the Task functions, unqualified: no `:*` version wildcard.
    machine.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: taskFns.map(({ fn }) => fn.functionArn),
      }),
    );
    ignoreCfnLintCheck(machine, 'W3005');
    Validations.of(machine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CDK grants CloudWatch Logs delivery (logs:CreateLogDelivery and the like) and X-Ray (xray:PutTraceSegments) on "*": those actions support no resource-level permissions',
    });
    return machine;
  }

  /** Artifact uploads start deployments, bake progress events move bakes on, ended deployments run the janitor. */
  private eventTriggers(): void {
    const triggerFailures = deadLetterQueue(this, 'TriggerDeadLetters');
    const eventFailures = deadLetterQueue(this, 'EventDeadLetters');
    const bucketName = this.artifacts.bucketName;

    // EventBridge invokes functions asynchronously: what fails after Lambda's own retries is kept, not dropped.
    keepFailedInvocations(this.functions.get('StartDeploymentFromArtifact'), triggerFailures);
    keepFailedInvocations(this.functions.get('AdvanceBakeOnEvent'), eventFailures);

    new Rule(this, 'ArtifactUploaded', {
      description: 'bakeshift: an artifact <service>/<environment>/<version>.tgz was uploaded',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucketName] }, object: { key: [{ wildcard: '*/*/*.tgz' }] } },
      },
      targets: [
        new LambdaFunction(this.functions.get('StartDeploymentFromArtifact'), {
          deadLetterQueue: triggerFailures,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    const advance = new LambdaFunction(this.functions.get('AdvanceBakeOnEvent'), {
      deadLetterQueue: eventFailures,
      retryAttempts: 8,
      maxEventAge: Duration.hours(1),
    });
    new Rule(this, 'BakeResultUploaded', {
      description: 'bakeshift: a builder reported its outcome',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucketName] }, object: { key: [{ prefix: BAKE_RESULTS_PREFIX }] } },
      },
      targets: [advance],
    });
    new Rule(this, 'InstanceStopped', {
      description: 'bakeshift: an instance stopped (a builder powers itself off when done)',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { state: ['stopped'] },
      },
      targets: [advance],
    });
    // The janitor runs after each deployment, as locally, and with the nightly schedule.
    new Rule(this, 'DeploymentEnded', {
      description: 'bakeshift: a deployment succeeded or was rolled back; tidy its service',
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: [DETAIL_TYPES.succeeded, DETAIL_TYPES.rolled_back],
      },
      targets: [
        new LambdaFunction(this.functions.get('RunJanitor'), {
          event: RuleTargetInput.fromObject({ service: EventField.fromPath('$.detail.service') }),
          deadLetterQueue: eventFailures,
          retryAttempts: 8,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });

    new Rule(this, 'ImageStateChanged', {
      description: 'bakeshift: an AMI became available or failed',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 AMI State Change'],
        detail: { State: ['available', 'failed'] },
      },
      targets: [advance],
    });
  }

  /** Function URLs: nothing billed while idle; every request is checked against Slack's signature. */
  private slackEndpoints(): void {
    for (const name of ['SlackInteractivity', 'SlackCommands'] as const) {
      const url = this.functions.get(name).addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
      new CfnOutput(this, `${name}Url`, {
        value: url.url,
        description: `the Slack app's ${name} request URL`,
      });
    }
  }

  private service(
    service: ServiceDefinition,
    vpc: IVpc,
    logs: Bucket,
    logRetention: RetentionDays,
  ): ServiceEnvironment[] {
    const { config, infra } = service;
    const text = JSON.stringify(config);
    new StringParameter(this, `${config.service}Config`, {
      parameterName: serviceConfigParameter(config.service),
      description: `bakeshift: ${service.source}`,
      stringValue: text,
      tier: text.length > 4096 ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });
    return Object.entries(config.environments).map(
      ([environment, env]) =>
        new ServiceEnvironment(this, `${config.service}-${environment}`, {
          service: config.service,
          environment,
          config: env,
          vpc,
          appPort: infra.appPort,
          instanceType: infra.instanceType,
          previewPort: infra.previewPort,
          accessLogs: logs,
          logRetention,
          ...(infra.environments[environment]?.adopt ? { adopt: infra.environments[environment].adopt } : {}),
        }),
    );
  }
}

/** The services (ssm, secretsmanager) any environment reads secrets from. */
function secretStores(services: ServiceDefinition[]): Set<string> {
  return new Set(
    services.flatMap(({ config }) =>
      Object.values(config.environments).flatMap((env) =>
        Object.values(env.secrets).flatMap((text) => parseSecretReference(text)?.service ?? []),
      ),
    ),
  );
}
