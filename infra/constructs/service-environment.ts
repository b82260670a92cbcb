import { Aws, Duration, Stack, Tags, Validations } from 'aws-cdk-lib';
import { type IVpc, Peer, Port, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  ListenerAction,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import {
  InstanceProfile,
  Policy,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { type AwsEnvironmentSettings, environmentParameter } from '../../aws/commons/aws-settings.js';
import { parseSecretReference, secretResourceArn } from '../../core/config/secret-reference.js';
import type { EnvironmentConfig } from '../../core/config/service-config.js';
import type { AdoptedEnvironment } from '../service-infra-options.js';

export interface ServiceEnvironmentProps {
  service: string;
  environment: string;
  config: EnvironmentConfig;
  vpc: IVpc;
  appPort: number;
  instanceType: string;
  previewPort: number;
  accessLogs: IBucket;
  logRetention: RetentionDays;
  /** Existing load balancer pieces to use instead of creating them. */
  adopt?: AdoptedEnvironment;
}

const NO_RELEASE_YET = ListenerAction.fixedResponse(503, {
  contentType: 'text/plain',
  messageBody: 'no release yet',
});

/**
 * What one service+environment's deployments run against: an internet-facing ALB with its listener and preview
 * listener (the only listeners the traffic functions may modify, named by ARN in their policy), the two target
 * groups that take turns as blue and green, security groups, and the instance role; all written to SSM for the
 * adapters. With `adopt`, existing ones are written instead and nothing is created.
 */
export class ServiceEnvironment extends Construct {
  readonly instanceRoleArn: string;
  /** Its listener and preview listener: the only listeners the traffic functions may modify. */
  readonly listenerArns: string[];
  readonly settings: StringParameter;

  constructor(scope: Construct, id: string, props: ServiceEnvironmentProps) {
    super(scope, id);
    const subnetIds = props.vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED }).subnetIds;
    const pieces = props.adopt ?? this.create(props);
    this.instanceRoleArn = pieces.instanceRoleArn;
    this.listenerArns = [pieces.listenerArn, pieces.previewListenerArn];
    const secrets = instanceSecretsStatements(props.config.secrets);
    if (props.adopt && secrets.length > 0)
      new Policy(this, 'InstanceSecrets', {
        roles: [Role.fromRoleArn(this, 'AdoptedInstanceRole', props.adopt.instanceRoleArn)],
        statements: secrets,
      });
    const settings: AwsEnvironmentSettings = {
      listenerArn: pieces.listenerArn,
      previewListenerArn: pieces.previewListenerArn,
      previewUrl: pieces.previewUrl,
      ...(pieces.url ? { url: pieces.url } : {}),
      targetGroupArns: pieces.targetGroupArns,
      subnetIds: props.adopt?.subnetIds ?? subnetIds,
      securityGroupIds: pieces.securityGroupIds,
      instanceProfileArn: pieces.instanceProfileArn,
      instanceType: props.instanceType,
      appPort: props.appPort,
    };
    this.settings = new StringParameter(this, 'Settings', {
      parameterName: environmentParameter(props.service, props.environment),
      description: `bakeshift: where ${props.service} ${props.environment} runs`,
      stringValue: Stack.of(this).toJsonString(settings),
    });
  }

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: one environment's resources (ALB, listeners, target groups, launch role) declared in dependency order
  private create(props: ServiceEnvironmentProps): AdoptedEnvironment & { instanceRoleArn: string } {
    const { vpc, appPort, config } = props;
    const name = `${props.service}-${props.environment}`;
    const albGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: `bakeshift ${name} load balancer`,
      allowAllOutbound: false,
    });
    const instanceGroup = new SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc,
      description: `bakeshift ${name} instances: the app port, from the load balancer only`,
    });
    Validations.of(albGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: "an internet-facing load balancer: the service's listener is open to everyone by design",
    });
    instanceGroup.addIngressRule(albGroup, Port.tcp(appPort), 'app port from the load balancer');
    albGroup.addEgressRule(instanceGroup, Port.tcp(appPort), 'to the instances');

    const alb = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: albGroup,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    alb.logAccessLogs(props.accessLogs, `alb/${name}`);

    const health = config.healthCheck;
    const targetGroupArns = (['A', 'B'] as const).map((slot) => {
      const group = new ApplicationTargetGroup(this, `TargetGroup${slot}`, {
        vpc,
        port: appPort,
        protocol: ApplicationProtocol.HTTP,
        targetType: TargetType.INSTANCE,
        deregistrationDelay: Duration.seconds(config.drainSeconds),
        healthCheck: {
          path: health.path ?? '/health',
          interval: Duration.seconds(health.intervalSeconds),
          timeout: Duration.seconds(health.timeoutSeconds),
          healthyThresholdCount: health.healthyThreshold,
          unhealthyThresholdCount: health.unhealthyThreshold,
        },
      });
      // LaunchGreen sets the health check path of the image it launches, on these groups only (aws/fleets/iam.ts).
      Tags.of(group).add('managed-by', 'bakeshift');
      return group.targetGroupArn;
    }) as [string, string];

    const listener = alb.addListener('Listener', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      open: true,
      defaultAction: NO_RELEASE_YET,
    });
    const preview = alb.addListener('PreviewListener', {
      port: props.previewPort,
      protocol: ApplicationProtocol.HTTP,
      open: false,
      defaultAction: NO_RELEASE_YET,
    });
    albGroup.addIngressRule(
      Peer.ipv4(vpc.vpcCidrBlock),
      Port.tcp(props.previewPort),
      'the preview listener, from inside the VPC only',
    );

    const logGroup = new LogGroup(this, 'InstanceLogs', {
      logGroupName: `/bakeshift/${props.service}/${props.environment}`,
      retention: props.logRetention,
    });
    const role = new Role(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      path: '/bakeshift/',
      description: `bakeshift ${name} instances: write their logs to the central log group, read their secrets`,
      inlinePolicies: {
        CentralLogs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'WriteCentralLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
        ...(Object.keys(config.secrets).length > 0
          ? { Secrets: new PolicyDocument({ statements: instanceSecretsStatements(config.secrets) }) }
          : {}),
      },
    });
    const profile = new InstanceProfile(this, 'InstanceProfile', { role });
    return {
      listenerArn: listener.listenerArn,
      previewListenerArn: preview.listenerArn,
      url: `http://${alb.loadBalancerDnsName}`,
      previewUrl: `http://${alb.loadBalancerDnsName}:${props.previewPort}`,
      targetGroupArns,
      securityGroupIds: [instanceGroup.securityGroupId],
      instanceProfileArn: profile.instanceProfileArn,
      instanceRoleArn: role.roleArn,
    };
  }
}

/**
 * What an instance needs to read its environment's secrets (aws/fleets/fetch-secrets-script.ts), exactly the
 * parameters and secrets named: a parameter named without an ARN is in the stack's account and region. The
 * default KMS keys (aws/ssm, aws/secretsmanager) need no grant; a customer managed key's policy must allow the
 * role.
 */
export function instanceSecretsStatements(secrets: Record<string, string>): PolicyStatement[] {
  const here = { partition: Aws.PARTITION, region: Aws.REGION, account: Aws.ACCOUNT_ID };
  const arns = (service: string) =>
    Object.values(secrets).flatMap((text) => {
      const reference = parseSecretReference(text);
      return reference?.service === service ? [secretResourceArn(reference, here)] : [];
    });
  const parameters = [...new Set(arns('ssm'))];
  const stored = [...new Set(arns('secretsmanager'))];
  return [
    ...(parameters.length > 0
      ? [
          new PolicyStatement({
            sid: 'ReadItsParameters',
            actions: ['ssm:GetParameter'],
            resources: parameters,
          }),
        ]
      : []),
    ...(stored.length > 0
      ? [
          new PolicyStatement({
            sid: 'ReadItsSecrets',
            actions: ['secretsmanager:GetSecretValue'],
            resources: stored,
          }),
        ]
      : []),
  ];
}
