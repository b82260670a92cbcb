import { ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, ResourcePolicy, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type AwsOperatorSettings, OPERATOR_PARAMETER } from '../../aws/commons/aws-settings.js';
import { EVENT_SOURCE } from '../../aws/events/eventbridge-notifier.js';
import {
  OPERATOR_APPROVER_IAM,
  OPERATOR_DEPLOYER_IAM,
  OPERATOR_VIEWER_IAM,
} from '../../aws/operations/iam.js';
import { acknowledgeWildcards, policyStatementsOf } from '../policy-statements.js';

export interface OperatorAccessProps {
  stateMachineName: string;
  stateMachineArn: string;
  releaseTableName: string;
  artifactBucketName: string;
  services: string[];
  decision: IFunction;
  congruence: IFunction;
  janitor: IFunction;
  logRetention: RetentionDays;
}

/**
 * What the operator's interface (`bakeshift --target aws`, the console) needs on AWS: the IAM-authenticated
 * decision endpoint, the events log it reads, the settings it finds everything by, and one managed policy per
 * kind of person (viewer, deployer, approver) to attach to users, groups or roles.
 */
export class OperatorAccess extends Construct {
  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const url = props.decision.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    const events = new LogGroup(this, 'Events', {
      logGroupName: '/bakeshift/events',
      retention: props.logRetention,
    });
    this.keepEvents(events);
    const settings: AwsOperatorSettings = {
      stateMachineArn: props.stateMachineArn,
      releaseTable: props.releaseTableName,
      artifactBucket: props.artifactBucketName,
      services: props.services,
      decisionUrl: url.url,
      congruenceFunction: props.congruence.functionName,
      janitorFunction: props.janitor.functionName,
      eventsLogGroup: events.logGroupName,
    };
    new StringParameter(this, 'Settings', {
      parameterName: OPERATOR_PARAMETER,
      description: "bakeshift: what the operator's CLI and console find the stack by",
      stringValue: Stack.of(this).toJsonString(settings),
    });
    new CfnOutput(Stack.of(this), 'DecisionUrl', {
      value: url.url,
      description: 'the IAM-authenticated approval endpoint',
    });
    this.policies(props);
  }

  /**
   * An EventBridge rule writes bakeshift's events to the log group. The resource policy EventBridge needs is
   * written here as a plain AWS::Logs::ResourcePolicy: the CDK target would add a custom resource (and a Lambda
   * function with an AWS managed policy) to write it.
   */
  private keepEvents(events: LogGroup): void {
    new ResourcePolicy(this, 'EventsMayWrite', {
      policyStatements: [
        new PolicyStatement({
          sid: 'EventBridgeWritesBakeshiftEvents',
          principals: [
            new ServicePrincipal('events.amazonaws.com'),
            new ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [events.logGroupArn],
        }),
      ],
    });
    new Rule(this, 'KeepEvents', {
      description: "bakeshift: keep bakeshift's events for `bakeshift events` and the console",
      eventPattern: { source: [EVENT_SOURCE] },
      // EventBridge names a log group target by its ARN without the trailing `:*` (as the CDK target does).
      targets: [
        {
          bind: () => ({
            arn: Stack.of(this).formatArn({
              service: 'logs',
              resource: 'log-group',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              resourceName: events.logGroupName,
            }),
          }),
        },
      ],
    });
  }

  private policies(props: OperatorAccessProps): void {
    const values = {
      ReleaseTable: props.releaseTableName,
      StateMachineName: props.stateMachineName,
      StateMachineArn: props.stateMachineArn,
      ArtifactBucket: props.artifactBucketName,
      DecisionFunction: props.decision.functionName,
      CongruenceFunction: props.congruence.functionName,
      JanitorFunction: props.janitor.functionName,
    };
    const kinds = {
      Viewer: OPERATOR_VIEWER_IAM,
      Deployer: OPERATOR_DEPLOYER_IAM,
      Approver: OPERATOR_APPROVER_IAM,
    };
    for (const [kind, statements] of Object.entries(kinds)) {
      const policy = new ManagedPolicy(this, `${kind}Policy`, {
        description: `bakeshift ${kind.toLowerCase()}: what the CLI and console need for a ${kind.toLowerCase()}`,
        statements: policyStatementsOf(statements, values),
      });
      acknowledgeWildcards(policy, statements, values);
      new CfnOutput(Stack.of(this), `${kind}PolicyArn`, {
        value: policy.managedPolicyArn,
        description: `attach to the people who are bakeshift ${kind.toLowerCase()}s`,
      });
    }
  }
}
