import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../../core/ports/clock.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { LambdaPreTrafficTests } from '../analysis/lambda-pre-traffic-tests.js';
import { BakeLedger } from '../baker/bake-ledger.js';
import { Ec2ImageBaker } from '../baker/ec2-image-baker.js';
import { Ec2ImageCatalog } from '../baker/ec2-image-catalog.js';
import { presigningS3Client } from '../baker/presigning-s3-client.js';
import { StepFunctionsCallbacks } from '../callbacks/step-functions-callbacks.js';
import { AwsSettings } from '../commons/aws-settings.js';
import { SsmServiceConfigs } from '../configs/ssm-service-configs.js';
import { StepFunctionsExecutions } from '../executions/step-functions-executions.js';
import { AutoScalingFleets } from '../fleets/auto-scaling-fleets.js';
import { CloudWatchInstanceDiagnostics } from '../fleets/cloudwatch-instance-diagnostics.js';
import { FleetDirectory } from '../fleets/fleet-directory.js';
import { runAwsJanitor } from '../janitor/aws-janitor.js';
import { CloudWatchTrafficMetrics } from '../metrics/cloudwatch-traffic-metrics.js';
import { StepFunctionsStarter } from '../starter/step-functions-starter.js';
import { AlbTraffic } from '../traffic/alb-traffic.js';
import { SlotHealthCheck } from '../traffic/slot-health-check.js';
import { TargetGroupHealth } from '../traffic/target-group-health.js';
import { requiredEnvironment } from './lambda-environment.js';

/*
 * The AWS ports, for the Lambda entries (entries/). Clients are made once per container, each by its own
 * function over a module-level variable (never one eagerly built object), so that esbuild drops every client
 * an entry does not ask for: an SDK client it bundles is import time paid on every cold start (ADR 19).
 */

let ssm: SSMClient | undefined;
const ssmClient = () => (ssm ??= new SSMClient({}));
let dynamo: DynamoDBClient | undefined;
const dynamoClient = () => (dynamo ??= new DynamoDBClient({}));
let sfn: SFNClient | undefined;
const sfnClient = () => (sfn ??= new SFNClient({}));
let autoScaling: AutoScalingClient | undefined;
const autoScalingClient = () => (autoScaling ??= new AutoScalingClient({}));
let elb: ElasticLoadBalancingV2Client | undefined;
const elbClient = () => (elb ??= new ElasticLoadBalancingV2Client({}));
let ec2: EC2Client | undefined;
const ec2Client = () => (ec2 ??= new EC2Client({}));
let lambda: LambdaClient | undefined;
const lambdaClient = () => (lambda ??= new LambdaClient({}));
let cloudWatch: CloudWatchClient | undefined;
const cloudWatchClient = () => (cloudWatch ??= new CloudWatchClient({}));
let settings: AwsSettings | undefined;
const awsSettings = () => (settings ??= new AwsSettings(ssmClient()));
let directory: FleetDirectory | undefined;
const fleetDirectory = () => (directory ??= new FleetDirectory(autoScalingClient()));

export function awsStore() {
  return new DynamoDbReleaseStore(dynamoClient(), requiredEnvironment('releaseTable'));
}

export function awsConfigs() {
  return new SsmServiceConfigs(ssmClient());
}

export function awsCallbacks() {
  return new StepFunctionsCallbacks(sfnClient());
}

export function awsStarter() {
  return new StepFunctionsStarter(sfnClient(), requiredEnvironment('stateMachineArn'));
}

/** Whether a deployment's execution still runs (a lock holder's, for PrepareDeployment). */
export function awsExecutions() {
  return new StepFunctionsExecutions(sfnClient(), requiredEnvironment('stateMachineArn'));
}

export function awsBaker(clock: Clock) {
  return new Ec2ImageBaker(
    { ec2: ec2Client(), s3: presigningS3Client(), ssm: ssmClient() },
    awsSettings(),
    new BakeLedger(dynamoClient(), requiredEnvironment('releaseTable')),
    awsCallbacks(),
    clock,
  );
}

/** Images only (EC2 and SSM): for the steps that never bake. */
export function awsImageCatalog() {
  return new Ec2ImageCatalog({ ec2: ec2Client(), ssm: ssmClient() });
}

/** Fleets to destroy or inspect: without the load balancer client, which only launching needs. */
export function awsFleets() {
  return new AutoScalingFleets(
    { ec2: ec2Client(), autoScaling: autoScalingClient() },
    awsSettings(),
    fleetDirectory(),
  );
}

/** Fleets that launch: with the slot health check (and so the load balancer client), for LaunchGreen only. */
export function awsLaunchingFleets() {
  return new AutoScalingFleets(
    { ec2: ec2Client(), autoScaling: autoScalingClient() },
    awsSettings(),
    fleetDirectory(),
    new SlotHealthCheck(elbClient()),
  );
}

export function awsTraffic() {
  return new AlbTraffic(
    { elb: elbClient(), autoScaling: autoScalingClient() },
    awsSettings(),
    fleetDirectory(),
  );
}

/** The environments' pre-traffic test functions. */
export function awsPreTrafficTests() {
  return new LambdaPreTrafficTests(lambdaClient());
}

/** The load balancer's metrics and alarms (CloudWatch), for analysis. */
export function awsMetrics() {
  return new CloudWatchTrafficMetrics(cloudWatchClient(), awsSettings(), fleetDirectory());
}

export function awsHealth() {
  return new TargetGroupHealth(elbClient(), fleetDirectory());
}

export function awsDiagnostics() {
  return new CloudWatchInstanceDiagnostics(new CloudWatchLogsClient({}), fleetDirectory());
}

export function awsJanitor(clock: Clock) {
  const deps = {
    clients: { ec2: ec2Client(), autoScaling: autoScalingClient() },
    configs: awsConfigs(),
    store: awsStore(),
    fleets: awsFleets(),
    traffic: awsTraffic(),
    baker: awsImageCatalog(),
    clock,
  };
  return (service: string, options: { dryRun: boolean }) => runAwsJanitor(deps, service, options);
}
