import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaPreTrafficTests } from '../../aws/analysis/lambda-pre-traffic-tests.js';
import { createAdvanceBakeOnEvent } from '../../aws/baker/advance-bake-on-event.js';
import { BakeLedger } from '../../aws/baker/bake-ledger.js';
import { Ec2ImageBaker } from '../../aws/baker/ec2-image-baker.js';
import { AwsSettings, environmentParameter, PROVIDER_PARAMETER } from '../../aws/commons/aws-settings.js';
import { TAG, tagValue } from '../../aws/commons/tags.js';
import { AutoScalingFleets } from '../../aws/fleets/auto-scaling-fleets.js';
import { CloudWatchInstanceDiagnostics } from '../../aws/fleets/cloudwatch-instance-diagnostics.js';
import { FleetDirectory } from '../../aws/fleets/fleet-directory.js';
import { runAwsJanitor } from '../../aws/janitor/aws-janitor.js';
import { CloudWatchTrafficMetrics } from '../../aws/metrics/cloudwatch-traffic-metrics.js';
import { AlbTraffic } from '../../aws/traffic/alb-traffic.js';
import { SlotHealthCheck } from '../../aws/traffic/slot-health-check.js';
import { TargetGroupHealth } from '../../aws/traffic/target-group-health.js';
import type { Ports } from '../../core/ports/index.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import {
  ensureReleaseTable,
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '../../local/store/local-dynamodb.js';
import { awsClients, BASE_AMI_PARAMETER } from '../support/aws-world.js';
import { FakeClock } from '../support/fakes/fake-clock.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';
import { FakeServiceConfigs } from '../support/fakes/fake-service-configs.js';
import { RecordingNotifier } from '../support/fakes/recording-notifier.js';
import { runAsFunction } from '../support/invoking-function.js';
import { SimulatedCloud } from '../support/simulated-cloud.js';
import type { WorldHooks } from './fakes-world.js';
import {
  DRAIN_SECONDS,
  type Leftover,
  type ModelWorld,
  modelConfigs,
  TARGETS,
  type VersionHealth,
} from './model-world.js';

const ACCOUNT = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const arnsOf = (service: string, environment: string) => ({
  listenerArn: `${ACCOUNT}:listener/app/${service}-${environment}/0123/main`,
  previewListenerArn: `${ACCOUNT}:listener/app/${service}-${environment}/0123/preview`,
  targetGroupArns: [
    `${ACCOUNT}:targetgroup/${service}-${environment}-a/aaaa`,
    `${ACCOUNT}:targetgroup/${service}-${environment}-b/bbbb`,
  ] as [string, string],
});
const NO_RELEASE = [
  {
    Type: 'fixed-response',
    FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'no release yet' },
  },
];
const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };

/** dynalite and the bake ledger's table: one for a whole run (bake ids never repeat across histories). */
export class SharedDynamo {
  private constructor(
    private readonly home: string,
    readonly dynamo: LocalDynamoDb,
    readonly client: DynamoDBClient,
    readonly table: string,
  ) {}

  static async start(): Promise<SharedDynamo> {
    const home = await mkdtemp(join(tmpdir(), 'bakeshift-model-'));
    const dynamo = await startLocalDynamoDb(join(home, 'store'));
    const table = 'model-bakes';
    await ensureReleaseTable(dynamo.client, table);
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    return new SharedDynamo(home, dynamo, client, table);
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.dynamo.close();
    await rm(this.home, { recursive: true, force: true });
  }
}

type Clients = ReturnType<typeof awsClients>;

/**
 * The AWS adapters over the simulated cloud (EC2 bakes driven by events, Auto Scaling fleets in target-group
 * slots, ALB listeners), as test/support/aws-world.ts builds them; each Lambda function with its own clients and
 * caches. Every removal the cloud is asked for is checked first; a crash of the control plane leaves the cloud's
 * resources running (they are not its processes).
 */
export class AwsModelWorld implements ModelWorld {
  readonly name = 'simulated cloud';
  readonly clock: FakeClock;
  readonly store = new FakeReleaseStore();
  readonly cloud: SimulatedCloud;
  readonly configs = new FakeServiceConfigs();
  readonly notifier = new RecordingNotifier();
  private readonly adapters = new Map<string, Omit<Ports, 'approvals' | 'callbacks' | 'executions'>>();
  private readonly brokenVersions = new Set<string>();
  private readonly eventBaker: Ec2ImageBaker;

  constructor(
    private readonly hooks: WorldHooks,
    private readonly shared: SharedDynamo,
    startMs: number,
  ) {
    this.clock = new FakeClock(startMs);
    this.cloud = new SimulatedCloud().attach();
    this.cloud.now = () => this.clock.now();
    this.setUpCloud();
    this.eventBaker = this.bakerOf(this.clients('AdvanceBakeOnEvent'));
    const advance = createAdvanceBakeOnEvent({ baker: this.eventBaker });
    // EventBridge delivers to the bake-advancing function, retrying a failed delivery a few times.
    this.cloud.onEvent = (event) => {
      this.markBrokenImages();
      const deliver = async (attemptsLeft: number): Promise<void> => {
        try {
          await runAsFunction('AdvanceBakeOnEvent', () =>
            advance(event as never, localLambdaContext('AdvanceBakeOnEvent', 60)),
          );
        } catch {
          if (attemptsLeft > 0) setTimeout(() => void deliver(attemptsLeft - 1), 5);
        }
      };
      void deliver(3);
    };
  }

  private setUpCloud() {
    const { cloud } = this;
    cloud.parameters.set(BASE_AMI_PARAMETER, 'ami-base');
    cloud.addImage('ami-base');
    cloud.parameters.set(
      PROVIDER_PARAMETER,
      JSON.stringify({
        artifactBucket: 'artifacts',
        builderSubnetId: 'subnet-builder',
        builderSecurityGroupId: 'sg-builder-no-inbound',
      }),
    );
    for (const { service, environment } of TARGETS) {
      const arns = arnsOf(service, environment);
      cloud.parameters.set(
        environmentParameter(service, environment),
        JSON.stringify({
          ...arns,
          previewUrl: `https://preview.${service}-${environment}.example.com`,
          subnetIds: ['subnet-a', 'subnet-b'],
          securityGroupIds: [`sg-${service}`],
          instanceProfileArn: `arn:aws:iam::123456789012:instance-profile/bakeshift-${service}`,
        }),
      );
      for (const arn of arns.targetGroupArns) cloud.addTargetGroup(arn, DRAIN_SECONDS);
      cloud.addListener(arns.listenerArn, structuredClone(NO_RELEASE) as never);
      cloud.addListener(arns.previewListenerArn, structuredClone(NO_RELEASE) as never);
    }
    const configs = modelConfigs();
    for (const config of Object.values(configs)) config.bake.baseImage = BASE_AMI_PARAMETER;
    // On AWS, pre-traffic tests run in a function in the VPC.
    configs.web.environments.prod.preTraffic = { function: 'bakeshift-pretraffic-web' } as never;
    cloud.functions.set('bakeshift-pretraffic-web', async () => ({
      passed: true,
      output: 'smoke tests passed',
    }));
    for (const [service, config] of Object.entries(configs)) this.configs.set(service, config);
  }

  /** One function's clients, each watched: removals are checked before the cloud acts on them. */
  private clients(functionName: string): Clients {
    const clients = awsClients();
    for (const client of Object.values(clients)) this.watch(client);
    void functionName;
    return clients;
  }

  private watch(client: { send: (...args: never[]) => Promise<unknown> }) {
    const send = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
    (client as unknown as { send: typeof send }).send = async (command, ...rest) => {
      const name = (command as object).constructor.name.replace(/Command$/, '');
      const input = (command as { input: Record<string, unknown> }).input;
      this.beforeCommand(name, input);
      const output = await this.hooks.during(() => send(command, ...rest));
      this.afterCommand(name, input, output);
      return output;
    };
  }

  private fleetOfGroup(name: unknown): string | undefined {
    return tagValue(this.cloud.groups.get(String(name))?.tags, TAG.fleet);
  }

  private beforeCommand(name: string, input: Record<string, unknown>) {
    if (name === 'DeleteAutoScalingGroup' || name === 'DetachTrafficSources') {
      const fleetId = this.fleetOfGroup(input.AutoScalingGroupName);
      if (fleetId) this.hooks.removing(fleetId, name);
    }
    if (name === 'TerminateInstances') {
      for (const id of (input.InstanceIds as string[]) ?? []) {
        const group = [...this.cloud.groups.values()].find((g) => g.instances.includes(id));
        const fleetId = group && tagValue(group.tags, TAG.fleet);
        if (fleetId) this.hooks.removing(fleetId, `TerminateInstances ${id}`);
      }
    }
  }

  /** The simulation stamps real time; the histories run on the world's virtual clock. */
  private afterCommand(name: string, input: Record<string, unknown>, output: unknown) {
    const now = this.clock.now();
    if (name === 'RunInstances') {
      for (const { InstanceId } of (output as { Instances?: { InstanceId?: string }[] }).Instances ?? []) {
        const instance = this.cloud.instances.get(InstanceId ?? '');
        if (instance && instance.steps === 0) instance.launchedAt = now;
      }
    }
    if (name === 'CreateImage') {
      const image = this.cloud.images.get((output as { ImageId?: string }).ImageId ?? '');
      if (image && image.steps === 0) image.created = now.toISOString();
    }
    if (name === 'CreateAutoScalingGroup') {
      const group = this.cloud.groups.get(String(input.AutoScalingGroupName));
      if (group) group.createdAt = now;
    }
  }

  private bakerOf(clients: Clients) {
    const settings = new AwsSettings(clients.ssm);
    return new Ec2ImageBaker(
      clients,
      settings,
      new BakeLedger(this.shared.client, this.shared.table),
      this.hooks.callbacks,
      this.clock,
    );
  }

  portsFor(functionName = 'ControlPlane') {
    let ports = this.adapters.get(functionName);
    if (!ports) {
      const clients = this.clients(functionName);
      const settings = new AwsSettings(clients.ssm);
      const directory = new FleetDirectory(clients.autoScaling);
      ports = {
        configs: this.configs,
        store: this.store,
        notifier: this.notifier,
        clock: this.clock,
        baker: this.bakerOf(clients),
        fleets: new AutoScalingFleets(clients, settings, directory, new SlotHealthCheck(clients.elb)),
        traffic: new AlbTraffic(clients, settings, directory),
        health: new TargetGroupHealth(clients.elb, directory),
        diagnostics: new CloudWatchInstanceDiagnostics(clients.logs, directory),
        metrics: new CloudWatchTrafficMetrics(clients.cloudWatch, settings, directory),
        preTraffic: new LambdaPreTrafficTests(clients.lambda),
      };
      this.adapters.set(functionName, ports);
    }
    return ports;
  }

  runJanitor(ports: Ports, service: string) {
    const clients = this.clients('RunJanitor');
    return runAwsJanitor({ ...ports, clients }, service, { dryRun: false });
  }

  setHealth(_service: string, version: string, health: VersionHealth) {
    // Targets settle once (healthy or not) in the simulation: a version cannot break after its shift here.
    if (health === 'broken') this.brokenVersions.add(version);
  }

  /** Instances from the image of a broken version fail their health checks. */
  private markBrokenImages() {
    for (const image of this.cloud.images.values()) {
      const version = tagValue(image.tags, TAG.version);
      if (version && this.brokenVersions.has(version)) this.cloud.unhealthyImages.add(image.id);
    }
  }

  /** The cloud's resources are not the control plane's processes: they survive it. */
  async crashed() {}

  private fleetInTargetGroup(arn: string): string | undefined {
    const group = [...this.cloud.groups.values()].find((g) => g.targetGroupArns.includes(arn));
    return group ? tagValue(group.tags, TAG.fleet) : undefined;
  }

  listenerWeights(service: string, environment: string) {
    const weights = this.cloud.forwardWeights(arnsOf(service, environment).listenerArn);
    const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
    return Object.fromEntries(
      Object.entries(weights).map(([arn, weight]) => [
        this.fleetInTargetGroup(arn) ?? `(empty ${arn.split('/').at(-2)})`,
        Math.round((weight * 100) / total),
      ]),
    );
  }

  previewFleet(service: string, environment: string) {
    const [arn] = Object.keys(this.cloud.forwardWeights(arnsOf(service, environment).previewListenerArn));
    return arn ? this.fleetInTargetGroup(arn) : undefined;
  }

  fleetExists(fleetId: string) {
    return [...this.cloud.groups.values()].some((g) => tagValue(g.tags, TAG.fleet) === fleetId);
  }

  fleetsOf(service: string) {
    return [...this.cloud.groups.values()]
      .filter((g) => tagValue(g.tags, TAG.service) === service)
      .map((g) => ({
        fleetId: tagValue(g.tags, TAG.fleet) ?? g.name,
        environment: tagValue(g.tags, TAG.environment) ?? '',
      }));
  }

  private managedImages(service: string) {
    return [...this.cloud.images.values()].filter(
      (i) => tagValue(i.tags, TAG.managedBy) === 'bakeshift' && tagValue(i.tags, TAG.service) === service,
    );
  }

  images(service: string) {
    return this.managedImages(service).map((i) => ({ imageId: i.id, createdAt: i.created }));
  }

  imageExists(imageId: string) {
    return this.cloud.images.has(imageId);
  }

  /** Builders still running, snapshots of no image, launch template versions of no fleet. */
  strayResources(service: string, keptFleets: ReadonlySet<string>): Leftover[] {
    const ofService = (tags: { Key?: string; Value?: string }[]) => tagValue(tags, TAG.service) === service;
    const builders = this.cloud
      .liveInstances('builder')
      .filter((i) => ofService(i.tags) && i.state !== 'shutting-down')
      .map((i) => ({ kind: 'builder', id: i.id }));
    const imageSnapshots = new Set([...this.cloud.images.values()].flatMap((i) => i.snapshotIds));
    const snapshots = [...this.cloud.snapshots]
      .filter((s) => ofService(this.cloud.snapshotTags.get(s) ?? []) && !imageSnapshots.has(s))
      .map((s) => ({ kind: 'snapshot', id: s }));
    const versions = TARGETS.filter((t) => t.service === service).flatMap(({ environment }) => {
      const name = `bakeshift-${service}-${environment}`;
      const template = this.cloud.launchTemplates.get(name);
      return [...(template?.versions.keys() ?? [])]
        .filter((v) => v !== 1 && !keptFleets.has(template?.descriptions.get(v) ?? ''))
        .map((v) => ({
          kind: 'launch template version',
          id: `${name}:${v} (${template?.descriptions.get(v)})`,
        }));
    });
    return [...builders, ...snapshots, ...versions];
  }

  async dispose() {
    this.cloud.onEvent = () => undefined;
    this.cloud.detach();
    for (const ports of this.adapters.values()) void ports;
  }
}
