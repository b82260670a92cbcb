import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { LambdaPreTrafficTests } from '../../aws/analysis/lambda-pre-traffic-tests.js';
import { createAdvanceBakeOnEvent } from '../../aws/baker/advance-bake-on-event.js';
import { BakeLedger } from '../../aws/baker/bake-ledger.js';
import { Ec2ImageBaker } from '../../aws/baker/ec2-image-baker.js';
import { presigningS3Client } from '../../aws/baker/presigning-s3-client.js';
import { AwsSettings, environmentParameter, PROVIDER_PARAMETER } from '../../aws/commons/aws-settings.js';
import { AutoScalingFleets } from '../../aws/fleets/auto-scaling-fleets.js';
import { CloudWatchInstanceDiagnostics } from '../../aws/fleets/cloudwatch-instance-diagnostics.js';
import { FleetDirectory } from '../../aws/fleets/fleet-directory.js';
import { CloudWatchTrafficMetrics } from '../../aws/metrics/cloudwatch-traffic-metrics.js';
import { AlbTraffic } from '../../aws/traffic/alb-traffic.js';
import { SlotHealthCheck } from '../../aws/traffic/slot-health-check.js';
import { TargetGroupHealth } from '../../aws/traffic/target-group-health.js';
import type { Ports } from '../../core/ports/index.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import type { LocalEngineOptions } from '../../local/engine/local-engine.js';
import { ensureReleaseTable, type LocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { cloudBefore } from './aws-invariants.js';
import { FakeWorld, webConfig } from './fake-world.js';
import { runAsFunction } from './invoking-function.js';
import { SimulatedCloud } from './simulated-cloud.js';

export const BASE_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
const ACCOUNT = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';

export const awsArns = (environment: string) => ({
  listenerArn: `${ACCOUNT}:listener/app/web-${environment}/0123/main`,
  previewListenerArn: `${ACCOUNT}:listener/app/web-${environment}/0123/preview`,
  targetGroupArns: [
    `${ACCOUNT}:targetgroup/web-${environment}-a/aaaa`,
    `${ACCOUNT}:targetgroup/web-${environment}-b/bbbb`,
  ] as [string, string],
});

const FIXED_503 = [
  {
    Type: 'fixed-response',
    FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'no release yet' },
  },
];

let tables = 0;
const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };

/** The SDK clients one Lambda function builds (as aws/lambda/aws-ports.ts does; routed to the simulated cloud). */
export const awsClients = () => ({
  ec2: new EC2Client({ region: 'us-east-1', credentials }),
  s3: presigningS3Client({ region: 'us-east-1', credentials }),
  ssm: new SSMClient({ region: 'us-east-1', credentials }),
  autoScaling: new AutoScalingClient({ region: 'us-east-1', credentials }),
  elb: new ElasticLoadBalancingV2Client({ region: 'us-east-1', credentials }),
  cloudWatch: new CloudWatchClient({ region: 'us-east-1', credentials }),
  lambda: new LambdaClient({ region: 'us-east-1', credentials }),
  logs: new CloudWatchLogsClient({ region: 'us-east-1', credentials }),
});

/**
 * The real state machine and handlers with the AWS adapters over the simulated cloud: EC2 bakes, Auto Scaling
 * fleets, ALB traffic and target health. The release store is the test fake (its DynamoDB adapter has its own
 * contract test); bake progress is kept in dynalite as on AWS.
 */
export async function awsWorld(
  dynamo: LocalDynamoDb,
  options: {
    fleetSize?: number;
    /** The DynamoDB release store on dynalite instead of the test fake (its calls are then recorded too). */
    releaseStore?: 'fake' | 'dynamodb';
    /** The release table's name (default: a new one per world). */
    tableName?: string;
    /** More adapters each function builds (e.g. the AWS notifier, configs and callbacks for the oracles). */
    moreAdapters?: (world: FakeWorld, clients: ReturnType<typeof awsClients>) => Partial<Ports>;
    /** The engine's timing, beyond the callback timeout (e.g. a Wait state that takes real time). */
    timing?: LocalEngineOptions['timing'];
  } = {},
) {
  const cloud = new SimulatedCloud().attach();
  const table = options.tableName ?? `aws-world-${++tables}`;
  await ensureReleaseTable(dynamo.client, table);
  // Its own DynamoDB client, whose calls the cloud records with the function that made them (as on AWS).
  const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  cloud.record(dynamoClient, 'dynamodb');
  const clientsOf = awsClients;
  cloud.parameters.set(BASE_AMI_PARAMETER, 'ami-base');
  cloud.addImage('ami-base');
  cloud.parameters.set(
    PROVIDER_PARAMETER,
    JSON.stringify({
      // One bucket for artifacts and bake results, as the CDK app makes (the flows' artifacts are in it).
      artifactBucket: 'artifacts',
      builderSubnetId: 'subnet-builder',
      builderSecurityGroupId: 'sg-builder-no-inbound',
    }),
  );
  for (const environment of ['staging', 'prod']) {
    const arns = awsArns(environment);
    cloud.parameters.set(
      environmentParameter('web', environment),
      JSON.stringify({
        ...arns,
        previewUrl: `https://preview.web-${environment}.example.com`,
        subnetIds: ['subnet-a', 'subnet-b'],
        securityGroupIds: ['sg-web'],
        instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/bakeshift-web',
      }),
    );
    for (const arn of arns.targetGroupArns) cloud.addTargetGroup(arn, 30);
    // As the CDK app makes them: the traffic IAM names both listeners by ARN.
    cloud.addListener(arns.listenerArn, structuredClone(FIXED_503) as never);
    cloud.addListener(arns.previewListenerArn, structuredClone(FIXED_503) as never);
  }

  /** What one Lambda function builds: its own clients, settings cache and fleet directory. */
  const adaptersOf = (w: FakeWorld) => {
    const clients = clientsOf();
    const settings = new AwsSettings(clients.ssm);
    const directory = new FleetDirectory(clients.autoScaling);
    const more = options.moreAdapters?.(w, clients) ?? {};
    const callbacks = more.callbacks ?? w.tokens;
    const ledger = new BakeLedger(dynamoClient, table);
    return {
      baker: new Ec2ImageBaker(clients, settings, ledger, callbacks, w.clock),
      fleets: new AutoScalingFleets(clients, settings, directory, new SlotHealthCheck(clients.elb)),
      traffic: new AlbTraffic(clients, settings, directory),
      health: new TargetGroupHealth(clients.elb, directory),
      diagnostics: new CloudWatchInstanceDiagnostics(clients.logs, directory),
      metrics: new CloudWatchTrafficMetrics(clients.cloudWatch, settings, directory),
      preTraffic: new LambdaPreTrafficTests(clients.lambda),
      ...(options.releaseStore === 'dynamodb'
        ? { store: new DynamoDbReleaseStore(dynamoClient, table) }
        : {}),
      ...more,
    };
  };
  const world = new FakeWorld({
    // A bake's or approval's callback arrives within milliseconds here, but on a loaded 2-core machine the
    // simulated builder's report took over 2 s (BakeImage ended TaskTimedOut); no AWS test waits for this bound.
    timing: { callbackTimeoutMs: 15_000, ...options.timing },
    adapters: adaptersOf,
  });
  const baker = adaptersOf(world).baker as Ec2ImageBaker;
  const config = webConfig();
  config.bake.baseImage = BASE_AMI_PARAMETER;
  // On AWS, pre-traffic tests run in a function in the VPC (the preview listener is reachable only there).
  config.environments.prod.preTraffic = { function: 'bakeshift-pretraffic-web' } as never;
  cloud.functions.set('bakeshift-pretraffic-web', async () => ({
    passed: true,
    output: 'smoke tests passed',
  }));
  if (options.fleetSize) {
    for (const env of Object.values(config.environments))
      env.capacity = { min: options.fleetSize, desired: options.fleetSize, max: options.fleetSize };
  }
  world.configs.set('web', config);
  // CloudWatch publishes by the world's (fake) time, which the flows advance on every polling retry.
  cloud.now = () => world.clock.now();
  const advance = createAdvanceBakeOnEvent({ baker });
  // EventBridge retries a target that fails (Lambda's own retries, then the rule's retry policy).
  cloud.onEvent = (event) => {
    const deliver = async (attemptsLeft: number): Promise<void> => {
      try {
        await runAsFunction('AdvanceBakeOnEvent', () =>
          advance(event, localLambdaContext('AdvanceBakeOnEvent', 60)),
        );
      } catch {
        if (attemptsLeft > 0) setTimeout(() => void deliver(attemptsLeft - 1), 20);
      }
    };
    void deliver(3);
  };
  return { world, cloud, baker, table, dynamoClient, clientsOf };
}

/** An AWS world where 1.0.0 is live (blue), with the cloud as it was before the next deployment. */
export async function awsWorldWithBlue(
  dynamo: LocalDynamoDb,
  options: { fleetSize?: number; environment?: string } = {},
) {
  const environment = options.environment ?? 'staging';
  const setup = await awsWorld(dynamo, options);
  const blue = await setup.world.deploy({ version: '1.0.0', environment });
  if (blue.outcome.status !== 'SUCCEEDED')
    throw new Error(`the blue deployment failed: ${blue.outcome.cause}`);
  return { ...setup, blue, before: cloudBefore(setup.cloud, awsArns(environment).listenerArn) };
}

/**
 * API calls of one deployment replacing blue, from green's launch on, by command (the bake's calls depend on
 * when its events arrive, not on the fleet).
 */
export async function fleetApiCalls(
  dynamo: LocalDynamoDb,
  fleetSize: number,
): Promise<Record<string, number>> {
  const setup = await awsWorldWithBlue(dynamo, { fleetSize });
  let from = Number.POSITIVE_INFINITY;
  const execution = setup.world.start(setup.world.request({ version: '2.0.0' }));
  execution.onEvent((event) => {
    if (event.type === 'StateEntered' && event.state.name === 'LaunchGreen') from = setup.cloud.calls.length;
  });
  const outcome = await execution.outcome;
  setup.cloud.detach();
  if (outcome.status !== 'SUCCEEDED') throw new Error(`the measured deployment failed: ${outcome.cause}`);
  const counts: Record<string, number> = {};
  for (const call of setup.cloud.calls.slice(from)) counts[call.name] = (counts[call.name] ?? 0) + 1;
  return counts;
}
