import { createHash } from 'node:crypto';
import { decideApproval } from '../../core/approvals/decide-approval.js';
import type { Trigger } from '../../core/config/service-config.js';
import { deriveDeploymentId } from '../../core/deployment/deployment-id.js';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { BakeshiftError } from '../../core/errors.js';
import type { Ports } from '../../core/ports/index.js';
import { taskFunctions } from '../../functions/catalog.js';
import { LocalEngine, type LocalEngineOptions, type TaskCall } from '../../local/engine/local-engine.js';
import type { ExecutionOutcome, LocalExecution } from '../../local/engine/local-execution.js';
import { LocalTaskTokens } from '../../local/engine/local-task-tokens.js';
import {
  type AslDefinition,
  loadDeployDefinition,
  taskStatesOf,
} from '../../statemachines/deploy-definition.js';
import { pollingRetrierOf, waitBeforeRetry } from '../../statemachines/retry-schedule.js';
import type { TaskStateName } from '../../statemachines/state-names.js';
import { FakeApprovalChannel } from './fakes/fake-approval-channel.js';
import { FakeClock } from './fakes/fake-clock.js';
import { FakeDeploymentExecutions } from './fakes/fake-deployment-executions.js';
import { FakeFleets } from './fakes/fake-fleets.js';
import { FakeHealth } from './fakes/fake-health.js';
import { FakeImageBaker } from './fakes/fake-image-baker.js';
import { FakeInstanceDiagnostics } from './fakes/fake-instance-diagnostics.js';
import { FakePreTrafficTests } from './fakes/fake-pre-traffic-tests.js';
import { FakeReleaseStore } from './fakes/fake-release-store.js';
import { FakeServiceConfigs } from './fakes/fake-service-configs.js';
import { FakeTraffic } from './fakes/fake-traffic.js';
import { FakeTrafficMetrics } from './fakes/fake-traffic-metrics.js';
import { RecordingNotifier } from './fakes/recording-notifier.js';
import { runAsFunction } from './invoking-function.js';

/** A test service with a plain environment and a guarded one (approval, weighted shift). */
export function webConfig() {
  return {
    service: 'web',
    environments: {
      staging: {
        capacity: { min: 1, desired: 2, max: 4 },
        variables: { GREETING: 'hello', DATABASE_URL: 'postgres://secret@db/web' },
        keepBlueWarmSeconds: 120,
        drainSeconds: 30,
      },
      prod: {
        capacity: { min: 2, desired: 3, max: 6 },
        approval: { required: true, approvers: ['alice', 'bob'], timeoutSeconds: 3600 },
        traffic: {
          strategy: 'weighted',
          steps: [
            { percent: 10, holdSeconds: 60 },
            { percent: 50, holdSeconds: 60 },
            { percent: 100, holdSeconds: 0 },
          ],
        },
        keepBlueWarmSeconds: 300,
        drainSeconds: 60,
        preTraffic: { checks: [{ name: 'smoke', path: '/health' }] },
      },
    },
    bake: { baseImage: 'debian-base', timeoutSeconds: 1800 },
    retention: { images: 3 },
  };
}

/** A fault injected into one Task state: it throws, before or after doing its real work. */
export interface InjectedFault {
  stateName: string;
  when: 'before' | 'after';
  /** Fail only the first N invocations it is delivered to (transient), or every one. */
  times?: number;
  error?: string;
  /**
   * How many invocations it failed (set by the world). An 'after' fault is delivered only to an invocation
   * whose work succeeded: one that failed for its own reason (e.g. HealthPending) does not spend it.
   */
  delivered?: number;
}

/**
 * The real state machine and the real handlers over stateful fakes of every port: the harness of the flow
 * tests and of the fault matrix.
 */
export class FakeWorld {
  readonly definition: AslDefinition;
  readonly clock = new FakeClock();
  readonly tokens = new LocalTaskTokens();
  readonly store = new FakeReleaseStore();
  readonly fleets = new FakeFleets();
  readonly traffic = new FakeTraffic(this.fleets, this.clock);
  readonly metrics = new FakeTrafficMetrics();
  readonly preTraffic = new FakePreTrafficTests();
  readonly health = new FakeHealth(this.fleets);
  readonly diagnostics = new FakeInstanceDiagnostics(this.fleets);
  readonly baker = new FakeImageBaker(this.tokens, this.clock);
  readonly approvals = new FakeApprovalChannel();
  readonly notifier = new RecordingNotifier();
  readonly configs = new FakeServiceConfigs();
  readonly engine: LocalEngine;
  readonly executions = new FakeDeploymentExecutions((id) => this.engine.get(id));
  readonly faults: InjectedFault[] = [];
  /** Every Task state invoked, in order. */
  readonly calls: TaskCall[] = [];
  /**
   * Fake seconds added on every invocation of a state, where a test sets them. Otherwise a polling state's
   * retries advance the clock by what its Retry would wait on AWS (Interval × Backoff^n, capped): a limit the
   * schedule cannot reach shows up as it would on AWS.
   */
  readonly advanceOnCall: Partial<Record<TaskStateName, number>> = {};
  /** The last Task each execution invoked, and how many times in a row: its retry count. */
  private readonly lastCall = new Map<string, { stateName: string; attempt: number }>();
  private requestSequence = 0;

  private readonly adapters: Partial<Ports>;
  private readonly adaptersOf: ((world: FakeWorld, functionName?: string) => Partial<Ports>) | undefined;

  constructor(
    options: {
      timing?: LocalEngineOptions['timing'];
      definition?: AslDefinition;
      /**
       * Real adapters to use in place of some fakes (e.g. the AWS adapters over the simulated cloud). Called once
       * for the world and once per function, as each Lambda function builds its own clients and caches.
       */
      adapters?: (world: FakeWorld, functionName?: string) => Partial<Ports>;
    } = {},
  ) {
    this.definition = options.definition ?? loadDeployDefinition();
    this.adaptersOf = options.adapters;
    this.adapters = options.adapters?.(this) ?? {};
    this.configs.set('web', webConfig());
    this.approvals.decide = (approvalId, approve, by) =>
      decideApproval(this.ports(), { approvalId, approve, by });
    const functions = Object.fromEntries(
      Object.entries(taskFunctions).map(([name, create]) => [name, create(this.portsOf(name))]),
    );
    const tasks = taskStatesOf(this.definition);
    this.engine = new LocalEngine({
      definition: this.definition,
      functions,
      tokens: this.tokens,
      interceptTask: (call, invoke) => this.intercept(call, invoke),
      // Waits and retries take no real time; FakeClock simulates the time they stand for.
      timing: {
        ...options.timing,
        waitMs: {
          ...Object.fromEntries(
            Object.entries(this.definition.States)
              .filter(([, s]) => s.Type === 'Wait')
              .map(([name]) => [name, 0]),
          ),
          ...options.timing?.waitMs,
        },
        retryIntervalMs: {
          ...Object.fromEntries(tasks.map((t) => [t.stateName, 0])),
          ...options.timing?.retryIntervalMs,
        },
      },
    });
  }

  ports(): Ports {
    return {
      configs: this.configs,
      store: this.store,
      baker: this.baker,
      fleets: this.fleets,
      traffic: this.traffic,
      metrics: this.metrics,
      preTraffic: this.preTraffic,
      health: this.health,
      diagnostics: this.diagnostics,
      approvals: this.approvals,
      notifier: this.notifier,
      callbacks: this.tokens,
      clock: this.clock,
      executions: this.executions,
      ...this.adapters,
    };
  }

  /** The ports one function is built with: its own adapters, where the world has per-function ones. */
  portsOf(functionName: string): Ports {
    return { ...this.ports(), ...this.adaptersOf?.(this, functionName) };
  }

  request(fields: {
    version: string;
    environment?: string;
    trigger?: Trigger;
    imageId?: string;
  }): DeploymentRequest {
    const environment = fields.environment ?? 'staging';
    const trigger = fields.trigger ?? 'artifact';
    const requestedAt = new Date(this.clock.now().getTime() + ++this.requestSequence).toISOString();
    const artifact = fields.imageId
      ? undefined
      : {
          bucket: 'artifacts',
          key: `web/${fields.version}.tgz`,
          versionId: `v-${fields.version}`,
          etag: createHash('md5').update(fields.version).digest('hex'),
        };
    const base = { service: 'web', environment, trigger, requestedAt, ...(artifact ? { artifact } : {}) };
    return {
      deploymentId: deriveDeploymentId({ ...base, ...(fields.imageId ? { imageId: fields.imageId } : {}) }),
      ...base,
      version: fields.version,
      ...(fields.imageId ? { imageId: fields.imageId } : {}),
      requestedBy: 'test',
    };
  }

  start(request: DeploymentRequest): LocalExecution {
    return this.engine.start(request.deploymentId, request);
  }

  /** Runs a deployment to its end. */
  async deploy(fields: Parameters<FakeWorld['request']>[0]) {
    const request = this.request(fields);
    const execution = this.start(request);
    const outcome = await execution.outcome;
    return { request, execution, outcome, record: await this.store.getDeployment(request.deploymentId) };
  }

  statesEntered(execution: LocalExecution): string[] {
    return execution.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
  }

  /** The wait Step Functions makes before this invocation, if it is a retry of a polling state. */
  private retryWait(call: TaskCall): number {
    const previous = this.lastCall.get(call.executionName);
    const attempt = previous?.stateName === call.stateName ? previous.attempt + 1 : 0;
    this.lastCall.set(call.executionName, { stateName: call.stateName, attempt });
    const retrier = pollingRetrierOf(this.definition, call.stateName);
    return retrier && attempt > 0 ? waitBeforeRetry(retrier, attempt) : 0;
  }

  /**
   * WaitForWindow sleeps until the timestamp its next Task receives at $.plan.waitForWindow.until; the Task after
   * it is a new attempt, not a retry.
   */
  private sleepUntilWindow(call: TaskCall): void {
    const until = (call.input as { plan?: { waitForWindow?: { until?: string } } } | undefined)?.plan
      ?.waitForWindow?.until;
    const ms = until ? Date.parse(until) - this.clock.now().getTime() : 0;
    if (ms <= 0) return;
    this.clock.advance(ms / 1000);
    this.lastCall.delete(call.executionName);
  }

  private async intercept(call: TaskCall, invoke: () => Promise<unknown>): Promise<unknown> {
    this.calls.push(call);
    this.sleepUntilWindow(call);
    this.clock.advance(this.advanceOnCall[call.stateName as TaskStateName] ?? this.retryWait(call));
    const fault = this.faults.find(
      (f) => f.stateName === call.stateName && (f.times ?? Number.POSITIVE_INFINITY) > 0,
    );
    if (!fault) return runAsFunction(call.functionName, invoke);
    if (fault.when === 'after') await runAsFunction(call.functionName, invoke);
    if (fault.times !== undefined) fault.times--;
    fault.delivered = (fault.delivered ?? 0) + 1;
    throw new BakeshiftError(fault.error ?? 'InjectedFault', `fault injected into ${call.stateName}`);
  }
}

export type { ExecutionOutcome };
