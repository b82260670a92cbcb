import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENVIRONMENT_PLACEHOLDERS, type IamStatement } from '../../aws/commons/iam-statement.js';
import { LAMBDA_ENVIRONMENT } from '../../aws/lambda/lambda-environment.js';
import { FunctionBundles } from '../bundling/function-code.js';
import { ignoreCfnLintCheck } from '../cfn-lint-ignores.js';
import { iamOf, LAMBDA_FUNCTIONS, type LambdaSpec, PORT_NEEDS } from '../lambda-catalog.js';
import { acknowledgeWildcards, type PlaceholderValues, policyStatementsOf } from '../policy-statements.js';

export interface BakeshiftFunctionsProps {
  releaseTableName: string;
  stateMachineArn: string;
  eventBusName: string;
  slack: { botToken: ISecret; signingSecret: ISecret };
  /** The `${Name}` placeholders of the adapters' IAM statements, except the environments' (see allowEnvironments). */
  placeholders: PlaceholderValues;
  logRetention: RetentionDays;
  /** OTEL_EXPORTER_OTLP_ENDPOINT of every function: each exports its steps' spans there. */
  otlpEndpoint?: string;
}

/**
 * One Lambda function per entry of infra/lambda-catalog.ts, each with its own role holding exactly the IAM
 * statements of the ports its entry builds, and its own log group.
 */
export class BakeshiftFunctions extends Construct {
  private readonly byName = new Map<LambdaSpec['name'], LambdaFunction>();
  private readonly roles = new Map<LambdaSpec['name'], Role>();
  private readonly bundles = new FunctionBundles(LAMBDA_FUNCTIONS.map((spec) => spec.entry));

  constructor(
    scope: Construct,
    id: string,
    private readonly props: BakeshiftFunctionsProps,
  ) {
    super(scope, id);
    for (const spec of LAMBDA_FUNCTIONS) this.add(spec);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "nodejs22.x is bakeshift's tested runtime (the local engine and CI run Node 22); move with a tested upgrade",
    });
  }

  get(name: LambdaSpec['name']): LambdaFunction {
    const fn = this.byName.get(name);
    if (!fn) throw new Error(`no Lambda function ${name}`);
    return fn;
  }

  /**
   * The statements on the environments' own resources, once every environment exists: the instance roles the
   * fleets may pass to EC2 (`${InstanceRoleArn}`) and the listeners the traffic functions may modify
   * (`${ListenerArns}`), each by ARN and no other.
   */
  allowEnvironments(values: { InstanceRoleArn: string[]; ListenerArns: string[] }): void {
    if (values.InstanceRoleArn.length === 0) return;
    for (const spec of LAMBDA_FUNCTIONS) {
      const onEnvironments = iamOf(spec).filter(onEnvironmentResources);
      const role = this.roles.get(spec.name);
      if (onEnvironments.length === 0 || !role) continue;
      for (const statement of policyStatementsOf(onEnvironments, values))
        role.addToPrincipalPolicy(statement);
    }
  }

  private add(spec: LambdaSpec): void {
    const needs = spec.ports.map((port) => PORT_NEEDS[port]);
    const iam = iamOf(spec);
    const logGroup = new LogGroup(this, `${spec.name}Logs`, { retention: this.props.logRetention });
    // Statements on the environments' resources are added once those are known (allowEnvironments).
    const statements = policyStatementsOf(
      iam.filter((s) => !onEnvironmentResources(s)),
      this.props.placeholders,
    );
    const secrets = new Set(needs.flatMap((n) => n.secrets ?? []));
    const secretArns = [...secrets].map((s) =>
      s === 'botToken' ? this.props.slack.botToken.secretArn : this.props.slack.signingSecret.secretArn,
    );
    if (secretArns.length > 0)
      statements.push(
        new PolicyStatement({
          sid: 'ReadSlackSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretArns,
        }),
      );
    const role = new Role(this, `${spec.name}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `bakeshift ${spec.name}: ${spec.ports.join(', ')}`,
      inlinePolicies: {
        Logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'WriteOwnLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
        ...(statements.length > 0 ? { Ports: new PolicyDocument({ statements }) } : {}),
      },
    });
    this.roles.set(spec.name, role);
    acknowledgeWildcards(role, iam, this.props.placeholders);

    const values: Record<keyof typeof LAMBDA_ENVIRONMENT, string> = {
      releaseTable: this.props.releaseTableName,
      stateMachineArn: this.props.stateMachineArn,
      eventBus: this.props.eventBusName,
      slackBotTokenSecret: this.props.slack.botToken.secretArn,
      slackSigningSecret: this.props.slack.signingSecret.secretArn,
    };
    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: 'bakeshift',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      ...(this.props.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: this.props.otlpEndpoint } : {}),
    };
    for (const key of needs.flatMap((n) => n.environment)) environment[LAMBDA_ENVIRONMENT[key]] = values[key];

    const fn = new LambdaFunction(this, spec.name, {
      code: this.bundles.code(spec.entry),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role,
      logGroup,
      environment,
      description: `bakeshift ${spec.name}`,
    });
    ignoreCfnLintCheck(fn, 'W3005');
    this.byName.set(spec.name, fn);
  }
}

const onEnvironmentResources = (statement: IamStatement) =>
  statement.resources.some((r) => (ENVIRONMENT_PLACEHOLDERS as readonly string[]).includes(r));
