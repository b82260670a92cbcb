import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebClient } from '@slack/web-api';
import { SlackApprovalChannel } from '../../chatops/slack/slack-approval-channel.js';
import { SlackNotifier } from '../../chatops/slack/slack-notifier.js';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { endInterruptedDeployments } from '../../core/deployment/end-interrupted-deployments.js';
import { Refused } from '../../core/errors.js';
import { checkVersion } from '../../core/operations/check-version.js';
import { systemClock } from '../../core/ports/clock.js';
import type { DeploymentStarter } from '../../core/ports/deployment-starter.js';
import { FanOutNotifier } from '../../core/ports/fan-out-notifier.js';
import type { Ports } from '../../core/ports/index.js';
import { relaunchLiveRelease } from '../../core/releases/relaunch-live-release.js';
import { taskFunctions } from '../../functions/catalog.js';
import { DeploymentTracing } from '../../functions/commons/otlp-tracing.js';
import { otlpEndpointOf } from '../../functions/commons/tracing.js';
import { createStartDeploymentFromArtifact } from '../../functions/start-deployment-from-artifact.js';
import { readManifest } from '../../shared-adapters/artifacts/read-manifest.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import type { TaskStateName } from '../../statemachines/state-names.js';
import { LocalPreTrafficTests } from '../analysis/local-pre-traffic-tests.js';
import { LocalArtifactStore } from '../artifacts/local-artifact-store.js';
import { checkLocalBasePackages } from '../baker/local-base-packages.js';
import { LocalImageBaker } from '../baker/local-image-baker.js';
import { FileServiceConfigs } from '../config/file-service-configs.js';
import { localLambdaContext } from '../engine/lambda-context.js';
import { ExecutionAlreadyExists, LocalEngine, type LocalEngineOptions } from '../engine/local-engine.js';
import type { LocalExecution } from '../engine/local-execution.js';
import { LocalExecutions } from '../engine/local-executions.js';
import { withLocalPolling } from '../engine/local-polling.js';
import { LocalTaskTokens } from '../engine/local-task-tokens.js';
import { CentralLog } from '../fleets/central-log.js';
import { LocalFleets } from '../fleets/local-fleets.js';
import { runLocalJanitor } from '../janitor/local-janitor.js';
import { LocalDataPlane } from '../load-balancer/local-data-plane.js';
import { LocalHealth } from '../load-balancer/local-health.js';
import { LocalTraffic } from '../load-balancer/local-traffic.js';
import { LocalTrafficMetrics } from '../load-balancer/local-traffic-metrics.js';
import { CongruenceScheduler } from '../scheduler/congruence-scheduler.js';
import { ensureReleaseTable, type LocalDynamoDb, startLocalDynamoDb } from '../store/local-dynamodb.js';
import { FanOutApprovalChannel } from './fan-out-approval-channel.js';
import { LocalEventLog } from './local-event-log.js';
import { traceExecution } from './trace-execution.js';

export const RELEASE_TABLE_NAME = 'bakeshift-releases';

/**
 * Local polling cadence: the ASL's retry intervals are sized for AWS (ALB checks every 5-30 s); locally
 * health checks run every second or two, so the polling states look again sooner (and as long as on AWS:
 * withLocalPolling). Per retrier, in ASL order.
 */
export const LOCAL_TIMING = {
  retryIntervalMs: {
    PrepareDeployment: [300, 1000],
    AwaitGreenHealthy: [300, 500],
    WatchGreen: [300, 100],
    CheckGreenAtWeight: [300, 250],
  } satisfies Partial<Record<TaskStateName, number | number[]>>,
};

export interface ControlPlaneOptions {
  /** Every piece of local state lives here ($BAKESHIFT_HOME, default ./.bakeshift). */
  home: string;
  /** Service configurations, `<service>.json` each. */
  servicesDir: string;
  /** Between SIGTERM and SIGKILL when an instance stops. */
  stopGraceMs?: number;
  /** Wraps every Task invocation (tracing; fault injection in tests). */
  interceptTask?: LocalEngineOptions['interceptTask'];
  /** Retry intervals by state, over the local defaults (tests use 0 to fail fast). */
  retryIntervalMs?: Partial<Record<TaskStateName, number | number[]>>;
  /** Runs the janitor when a deployment ends (default true); off where compensation itself is under test. */
  janitorAfterEachDeployment?: boolean;
  /** With a bot token and signing secret, approvals and notifications also go to Slack (the same code as on AWS). */
  slack?: { botToken: string; signingSecret: string; apiUrl?: string };
  /** Where each deployment's trace is exported (OTLP/HTTP); default $OTEL_EXPORTER_OTLP_ENDPOINT, else none. */
  otlpEndpoint?: string;
}

export interface ReconcileReport {
  orphansKilled: number;
  bakesCancelled: string[];
  compensated: string[];
  restored: { service: string; environment: string; version: string }[];
  /** Services whose configuration could not be read: not restarted, each with why. */
  invalidConfigs: { service: string; error: string }[];
}

/** Slack's client and signing secret, when local mode is given a bot token. */
function slackOf(slack: NonNullable<ControlPlaneOptions['slack']>) {
  // The client's default retries last about 30 minutes; a deployment step retries on its own.
  const client = new WebClient(slack.botToken, {
    retryConfig: { retries: 2 },
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
  });
  return { client, signingSecret: slack.signingSecret };
}

/** Bounds how long stop() waits for a janitor run to end. */
const BACKGROUND_STOP_WAIT_MS = 10_000;
/** Bounds how long stop() waits for the last spans to be exported. */
const TRACE_FLUSH_WAIT_MS = 3_000;

/**
 * Local mode: the same state machine and handlers as on AWS, over real processes, a real HTTP load balancer
 * and DynamoDB's API (dynalite), all under one home directory.
 */
export class ControlPlane {
  readonly events: LocalEventLog;
  readonly engine: LocalEngine;
  readonly ports: Ports;
  readonly fleets: LocalFleets;
  /** Listeners, target groups and health checks, in a thread of their own (ADR 26). */
  readonly dataPlane: LocalDataPlane;
  readonly centralLog: CentralLog;
  readonly configs: FileServiceConfigs;
  readonly store: DynamoDbReleaseStore;
  readonly tokens = new LocalTaskTokens();
  /** Set when Slack is configured: the client and the secret its requests are signed with. */
  readonly slack: { client: WebClient; signingSecret: string } | undefined;
  readonly starter: DeploymentStarter;
  /** Nightly congruence runs, from each environment's schedule. */
  readonly scheduler: CongruenceScheduler;
  private readonly artifacts: LocalArtifactStore;
  private readonly baker: LocalImageBaker;
  private readonly trigger: ReturnType<typeof createStartDeploymentFromArtifact>;
  /** Janitor runs after deployments: stop() waits for them, so none reads the store after it closed. */
  private readonly background = new Set<Promise<unknown>>();
  /** Set when an OTLP endpoint is: each deployment's trace, from the engine's step events. */
  readonly tracing: DeploymentTracing | undefined;
  private readonly traced = new WeakSet<LocalExecution>();
  private stopping = false;
  /** The Slack channel of an environment, from its configuration (read when a notice is sent). */
  private readonly channelOf = async (service: string, environment: string) =>
    (await this.configs.load(service)).config.environments[environment]?.slack?.channel;

  private constructor(
    readonly options: ControlPlaneOptions,
    private readonly dynamo: LocalDynamoDb,
  ) {
    const { home } = options;
    this.store = new DynamoDbReleaseStore(dynamo.client, RELEASE_TABLE_NAME);
    this.artifacts = new LocalArtifactStore(join(home, 'artifacts'));
    this.baker = new LocalImageBaker(home, this.artifacts, this.tokens, systemClock);
    this.dataPlane = new LocalDataPlane(join(home, 'listeners.json'));
    this.centralLog = new CentralLog(join(home, 'logs'));
    this.fleets = new LocalFleets({
      home,
      baker: this.baker,
      dataPlane: this.dataPlane,
      log: this.centralLog,
      ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
    });
    this.events = new LocalEventLog(join(home, 'events.jsonl'));
    this.configs = new FileServiceConfigs(options.servicesDir);
    this.slack = options.slack ? slackOf(options.slack) : undefined;
    this.ports = {
      configs: this.configs,
      store: this.store,
      baker: this.baker,
      fleets: this.fleets,
      traffic: new LocalTraffic(this.dataPlane),
      metrics: new LocalTrafficMetrics(this.dataPlane),
      preTraffic: new LocalPreTrafficTests(),
      health: new LocalHealth(this.dataPlane),
      diagnostics: this.fleets,
      approvals: this.slack
        ? new FanOutApprovalChannel([this.events, new SlackApprovalChannel(this.slack.client)])
        : this.events,
      notifier: this.slack
        ? new FanOutNotifier([this.events, new SlackNotifier(this.slack.client, this.channelOf)])
        : this.events,
      callbacks: this.tokens,
      clock: systemClock,
      executions: new LocalExecutions((id) => this.engine.get(id)),
    };
    const ports = this.ports;
    const timing = { ...LOCAL_TIMING.retryIntervalMs, ...options.retryIntervalMs };
    this.engine = new LocalEngine({
      definition: withLocalPolling(loadDeployDefinition(), timing),
      functions: Object.fromEntries(
        Object.entries(taskFunctions).map(([name, create]) => [name, create(ports)]),
      ),
      tokens: this.tokens,
      timing: { retryIntervalMs: timing },
      ...(options.interceptTask ? { interceptTask: options.interceptTask } : {}),
    });
    const otlpEndpoint = options.otlpEndpoint ?? otlpEndpointOf(process.env);
    this.tracing = otlpEndpoint ? new DeploymentTracing(otlpEndpoint) : undefined;
    this.starter = { start: (request) => this.startExecution(request) };
    this.trigger = createStartDeploymentFromArtifact({ starter: this.starter });
    this.scheduler = new CongruenceScheduler({ ...ports, configs: this.configs, starter: this.starter });
  }

  static async start(
    options: ControlPlaneOptions,
  ): Promise<{ controlPlane: ControlPlane; reconciled: ReconcileReport }> {
    await mkdir(options.home, { recursive: true });
    const dynamo = await startLocalDynamoDb(join(options.home, 'store'));
    await ensureReleaseTable(dynamo.client, RELEASE_TABLE_NAME);
    const controlPlane = new ControlPlane(options, dynamo);
    const reconciled = await controlPlane.reconcile();
    await controlPlane.scheduler.start();
    return { controlPlane, reconciled };
  }

  /**
   * Uploads an artifact as S3 would and hands the "Object Created" event to the trigger handler, the same
   * code the EventBridge rule invokes on AWS.
   */
  async deploy(input: {
    service: string;
    environment: string;
    version: string;
    artifactFile: string;
    requestedBy?: string;
    forceNewVersion?: boolean;
  }): Promise<{ deploymentId: string; started: boolean; alreadyLive?: boolean }> {
    await this.checkDeployable(input.service, input.environment, input.artifactFile);
    const version = await checkVersion(this.store, {
      ...input,
      digest: await LocalArtifactStore.digestOf(input.artifactFile),
      forceNewVersion: input.forceNewVersion ?? false,
    });
    if (version.outcome === 'already-live')
      return { deploymentId: version.deploymentId, started: false, alreadyLive: true };
    if (version.outcome === 'in-flight') return { deploymentId: version.deploymentId, started: false };
    const key = `${input.service}/${input.environment}/${input.version}.tgz`;
    const artifact = await this.artifacts.put(input.artifactFile, key);
    const event = {
      source: 'aws.s3',
      'detail-type': 'Object Created',
      time: new Date().toISOString(),
      detail: {
        bucket: { name: artifact.bucket },
        object: { key, etag: artifact.etag, 'version-id': artifact.versionId },
        requester: input.requestedBy ?? 'local',
        reason: 'PutObject',
      },
    };
    return this.trigger(event, localLambdaContext('StartDeploymentFromArtifact', 30));
  }

  /**
   * Before anything is stored: the service and its environment are configured, the artifact's manifest is valid
   * and the local base provides its packages. Each refusal says how to fix it; nothing is started or kept.
   */
  private async checkDeployable(service: string, environment: string, artifact: string): Promise<void> {
    let loaded: Awaited<ReturnType<FileServiceConfigs['load']>>;
    try {
      loaded = await this.configs.load(service);
    } catch (error) {
      // A file that exists but is wrong is to be fixed, not written anew.
      const missing = !(await this.configs.services()).includes(service);
      const hint = missing
        ? `. Write one with \`bakeshift init <app-dir> --service ${service}\`, or put ${service}.json in ${this.options.servicesDir}`
        : '';
      throw new Refused(`${(error as Error).message}${hint}`);
    }
    const configured = Object.keys(loaded.config.environments);
    if (!configured.includes(environment))
      throw new Refused(
        `${loaded.source}: service ${service} has no environment ${environment} (it has ${configured.join(', ')}); add it there, or deploy with --env ${configured[0]}`,
      );
    try {
      checkLocalBasePackages((await readManifest(artifact)).packages);
    } catch (error) {
      throw new Refused(`${artifact}: ${(error as Error).message}`);
    }
  }

  /** Starts a deployment's execution (once per id), follows it into its trace and runs the janitor after it. */
  private async startExecution(request: DeploymentRequest): Promise<{ started: boolean }> {
    try {
      const execution = this.engine.start(request.deploymentId, request);
      this.trace(execution);
      if (this.options.janitorAfterEachDeployment === false) return { started: true };
      // The janitor runs after each deployment (and so after each nightly congruence run).
      const janitor = execution.outcome
        .then(() => (this.stopping ? undefined : this.janitor({ dryRun: false })))
        .catch(() => undefined);
      this.background.add(janitor);
      void janitor.finally(() => this.background.delete(janitor));
      return { started: true };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  }

  /** Follows an execution's step events into its trace (once, however often its start is repeated). */
  private trace(execution: LocalExecution): void {
    if (!this.tracing || this.traced.has(execution)) return;
    this.traced.add(execution);
    const traced = traceExecution(this.tracing, execution, this.store).catch(() => undefined);
    this.background.add(traced);
    void traced.finally(() => this.background.delete(traced));
  }

  execution(deploymentId: string): LocalExecution | undefined {
    return this.engine.get(deploymentId);
  }

  /** Listener URLs by service+environment. */
  listeners() {
    return this.dataPlane.urls();
  }

  /**
   * After a start (possibly after a crash): kills instances a dead control plane left, cancels its half-done
   * bakes, ends its in-flight deployments as rolled back, then starts each live release again from its image
   * and routes all traffic to it. State lives in the store, never in the instances.
   */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      orphansKilled: await this.fleets.killOrphans(),
      bakesCancelled: await this.baker.cancelAbandonedBakes(),
      compensated: [],
      restored: [],
      invalidConfigs: [],
    };
    for (const service of await this.configs.services()) {
      const loaded = await this.configs.load(service).catch((error: Error) => {
        // A mistyped file keeps its own service down (and says why), never the control plane.
        report.invalidConfigs.push({ service, error: error.message });
        return undefined;
      });
      if (!loaded) continue;
      for (const environment of Object.keys(loaded.config.environments)) {
        report.compensated.push(
          ...(await endInterruptedDeployments(
            { ...this.ports, isRunning: (id) => this.engine.get(id) !== undefined },
            service,
            environment,
          )),
        );
        const live = await relaunchLiveRelease(this.ports, loaded, service, environment);
        if (!live) continue;
        report.restored.push({ service, environment, version: live.version });
      }
    }
    return report;
  }

  /** Removes (or with dryRun only lists) what no release, deployment or rollback window needs. */
  janitor(options: { dryRun: boolean }) {
    return runLocalJanitor(
      {
        configs: this.configs,
        store: this.store,
        fleets: this.fleets,
        traffic: this.ports.traffic,
        baker: this.baker,
        clock: systemClock,
      },
      options,
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.scheduler.stop();
    await Promise.race([
      Promise.all(this.background),
      sleep(BACKGROUND_STOP_WAIT_MS, undefined, { ref: false }),
    ]);
    await this.tracing?.shutdown(TRACE_FLUSH_WAIT_MS, (error) =>
      process.emitWarning(`traces not exported: ${error.message}`),
    );
    await this.fleets.stopAll();
    await this.dataPlane.close();
    await this.centralLog.close();
    await this.dynamo.close();
  }
}
