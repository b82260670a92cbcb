import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideApproval } from '../../core/approvals/decide-approval.js';
import { startCongruenceRun } from '../../core/congruence/start-congruence-run.js';
import { deriveDeploymentId } from '../../core/deployment/deployment-id.js';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { endInterruptedDeployments } from '../../core/deployment/end-interrupted-deployments.js';
import { BakeshiftError } from '../../core/errors.js';
import type { ApprovalChannel, ApprovalView } from '../../core/ports/approval-channel.js';
import type { Ports } from '../../core/ports/index.js';
import { planPromotion } from '../../core/releases/plan-promotion.js';
import { planRollback } from '../../core/releases/plan-rollback.js';
import { relaunchLiveRelease } from '../../core/releases/relaunch-live-release.js';
import { taskFunctions } from '../../functions/catalog.js';
import { ExecutionAlreadyExists, LocalEngine, type TaskCall } from '../../local/engine/local-engine.js';
import type { EventLog, LocalExecution } from '../../local/engine/local-execution.js';
import { LocalExecutions } from '../../local/engine/local-executions.js';
import {
  type AslDefinition,
  loadDeployDefinition,
  taskStatesOf,
} from '../../statemachines/deploy-definition.js';
import { pollingRetrierOf, waitBeforeRetry } from '../../statemachines/retry-schedule.js';
import { runAsFunction } from '../support/invoking-function.js';
import { InvariantMonitor } from './invariants.js';
import { type ModelWorld, SERVICES, TARGETS, type Target, type VersionHealth } from './model-world.js';
import { scheduledPorts } from './scheduled-ports.js';
import { type Invocation, ModelProcess, ModelScheduler, runAs } from './scheduler.js';
import { VirtualTaskTokens } from './virtual-task-tokens.js';

/**
 * Histories begun in this process, across control planes: a history's artifact versions, bake keys and start
 * instant derive from it, and the simulated cloud's bake ledger (one DynamoDB for the run) outlives every plane.
 */
let historiesBegun = 0;

/** Prints every history as it runs (for debugging the model itself). */
const LIVE_TRACE = process.env.BAKESHIFT_MODEL_TRACE === '1';

/** A fault armed in a Task state: it fails the next deployment that runs the state. */
export interface ArmedFault {
  stateName: string;
  /** Before its work, after it, or cut off part way (the Lambda dies after `callsBeforeCut` port calls). */
  when: 'before' | 'during' | 'after';
  callsBeforeCut: number;
  /** The first invocation only (transient), or every invocation of that deployment (for good). */
  persistence: 'once' | 'always';
  error: 'Lambda.ServiceException' | 'States.Timeout' | 'InjectedFault';
}

interface BoundFault extends ArmedFault {
  deploymentId?: string;
  used: number;
}

export interface RunningDeployment {
  request: DeploymentRequest;
  process: ModelProcess;
  execution: LocalExecution;
}

/** A person's answer to an approval request, per deployment (approve unless the history says otherwise). */
class ModelApprovals implements ApprovalChannel {
  readonly rejecting = new Set<string>();

  constructor(private readonly decide: (view: ApprovalView, approve: boolean) => Promise<unknown>) {}

  async ask(view: ApprovalView) {
    const approve = !this.rejecting.has(view.deploymentId);
    // People are not processes of the control plane: their click is not scheduled.
    setImmediate(() => void this.decide(view, approve).catch(() => undefined));
    return undefined;
  }

  async showOutcome() {}
}

/** Real time allowed for histories to settle, per world. */
export interface Timing {
  /** How long the scheduler waits for the world (bakes, events) to reach the gate again before it looks again. */
  quietMs: number;
  /** How long a settle may take before the history counts as stuck. */
  settleMs: number;
}

/**
 * The control plane under test, as local mode composes it: the real ASL on the local engine, the real handlers,
 * over one history's world at a time. The engine is built once (its validation is slow) and serves many
 * histories; every port call goes through the model's scheduler, every Task invocation through the fault
 * injector, and time is virtual: waits and retries advance the world's clock as they would take on AWS.
 */
export class ModelControlPlane {
  readonly scheduler = new ModelScheduler();
  readonly tokens = new VirtualTaskTokens(() => this.world.clock.now().getTime());
  readonly approvals: ModelApprovals;
  readonly definition: AslDefinition;
  readonly engine: LocalEngine;
  private current: ModelWorld | undefined;
  monitor!: InvariantMonitor;
  /** What happened, one line each: commands, steps, outcomes; printed with a failing history. */
  trace: string[] = [];
  readonly deployments = new Map<string, RunningDeployment>();
  /** The engine's executions, as local mode's PrepareDeployment asks about a lock holder's. */
  private readonly executions = new LocalExecutions((id) => this.deployments.get(id)?.execution);
  private readonly janitorRuns = new Set<Promise<void>>();
  private faults: BoundFault[] = [];
  private readonly lastCall = new Map<string, { stateName: string; attempt: number }>();
  private history = 0;
  private sequence = 0;
  /** Versions are numbered across services: fakes judge health by version alone. */
  private versions = 0;
  histories = 0;

  constructor(
    readonly timing: Timing,
    readonly options: { janitorAfterEachDeployment: boolean },
  ) {
    this.definition = loadDeployDefinition();
    this.approvals = new ModelApprovals(async (view, approve) =>
      decideApproval(this.ports(), { approvalId: view.approvalId, approve, by: view.approvers[0] ?? '' }),
    );
    const tasks = taskStatesOf(this.definition);
    this.engine = new LocalEngine({
      definition: this.definition,
      functions: Object.fromEntries(
        Object.entries(taskFunctions).map(([name, create]) => [name, create(this.scheduledPortsOf(name))]),
      ),
      tokens: this.tokens,
      interceptTask: (call, invoke) => this.intercept(call, invoke),
      timing: {
        waitMs: Object.fromEntries(
          Object.entries(this.definition.States)
            .filter(([, s]) => s.Type === 'Wait')
            .map(([name]) => [name, 0]),
        ),
        retryIntervalMs: Object.fromEntries(tasks.map((t) => [t.stateName, 0])),
      },
    });
  }

  get world(): ModelWorld {
    if (!this.current) throw new Error('no history is running');
    return this.current;
  }

  /** The current world's ports for one function (or the control plane itself), unscheduled. */
  ports(functionName?: string): Ports {
    return {
      ...this.world.portsFor(functionName),
      approvals: this.approvals,
      callbacks: this.tokens,
      executions: this.executions,
    };
  }

  private scheduledPortsOf(functionName: string): Ports {
    return scheduledPorts(() => this.ports(functionName), this.scheduler, {
      before: (port, method, args) => this.monitor.beforePortCall(port, method, args),
      after: (port, method, args, result) => this.monitor.afterPortCall(port, method, args, result),
    });
  }

  /** Starts a history over a new world. */
  begin(makeWorld: (historyId: number) => ModelWorld): void {
    this.history = ++historiesBegun;
    this.histories += 1;
    this.current = makeWorld(this.history);
    this.monitor = new InvariantMonitor(this);
    this.trace = [];
    this.faults = [];
    this.versions = 0;
    this.approvals.rejecting.clear();
  }

  /** Ends the history: whatever still runs is cut off, and the world is disposed of. */
  async end(): Promise<void> {
    this.scheduler.crash();
    for (const { execution } of this.deployments.values()) execution.abort();
    this.deployments.clear();
    this.scheduler.processes.length = 0;
    this.lastCall.clear();
    await this.current?.dispose();
    this.current = undefined;
  }

  log(line: string): void {
    this.trace.push(line);
    if (LIVE_TRACE) console.log(`${performance.now().toFixed(0)} ${line}`);
  }

  /** After every command: each environment nothing is deploying to must be consistent (invariant 2). */
  afterCommand(): void {
    for (const target of TARGETS) {
      const busy = [...this.deployments.values()].some(
        (d) =>
          d.process.live &&
          d.request.service === target.service &&
          d.request.environment === target.environment,
      );
      if (!busy) this.monitor.checkSettled(target, 'after the command');
    }
  }

  /** The end of every history: everything runs to its end, then a janitor run with nothing in flight. */
  async finish(): Promise<void> {
    this.log('(end of the history: everything runs to its end, then the janitor, with nothing in flight)');
    await this.settle(1);
    this.startJanitor('final');
    await this.settle(2);
    this.afterCommand();
  }

  /** Time passes between two commands (also keeps every request's time distinct). */
  tick(): void {
    this.world.clock.advance(1);
  }

  // ---- Commands ----

  async deploy(target: Target, health: VersionHealth, approve: boolean): Promise<void> {
    const version = `${++this.versions}.0.0`;
    this.world.setHealth(target.service, version, health);
    const request = this.artifactRequest(target, version);
    if (!approve) this.approvals.rejecting.add(request.deploymentId);
    this.log(`  starts ${request.deploymentId} (${target.service}/${target.environment} ${version})`);
    this.start(request);
  }

  async promote(): Promise<void> {
    try {
      const request = await planPromotion(this.ports(), {
        service: 'web',
        from: 'staging',
        to: 'prod',
        requestedBy: 'model',
      });
      this.log(`  starts ${request.deploymentId} (web/prod ${request.version}, promoted)`);
      this.start(request);
    } catch (error) {
      this.log(`  refused: ${(error as Error).message}`);
    }
  }

  async rollback(target: Target): Promise<void> {
    try {
      const plan = await planRollback(this.ports(), { ...target, requestedBy: 'model' });
      if (plan.kind === 'traffic-shift') {
        this.log(`  asks ${plan.deploymentId} to move traffic back to blue`);
        return;
      }
      this.log(`  starts ${plan.request.deploymentId} (${plan.target.version} again)`);
      this.start(plan.request);
    } catch (error) {
      this.log(`  refused: ${(error as Error).message}`);
    }
  }

  async congruence(target: Target): Promise<void> {
    const ports = this.ports('StartCongruenceRun');
    const run = await startCongruenceRun(
      {
        ...ports,
        starter: {
          start: async (request) => {
            const started = this.start(request);
            return { started };
          },
        },
      },
      target,
    ).catch((error: Error) => ({ started: false as const, reason: `failed: ${error.message}` }));
    this.log(run.started ? `  starts ${run.deploymentId} (congruence)` : `  nothing started: ${run.reason}`);
  }

  armFault(fault: ArmedFault): void {
    this.faults.push({ ...fault, used: 0 });
  }

  /** Starts a janitor run for every service, as a process of its own. */
  startJanitor(why: string): void {
    const process = this.scheduler.add(
      new ModelProcess(
        `janitor-${++this.sequence}`,
        'janitor',
        this.scheduler.generation,
        `janitor (${why})`,
      ),
    );
    const watch = this.monitor.janitorStarted();
    const run = (async () => {
      const reports = [];
      for (const service of SERVICES) {
        const ports = this.scheduledPortsOf('RunJanitor');
        reports.push(await runAs({ process }, () => this.world.runJanitor(ports, service)));
      }
      return reports;
    })().then(
      (reports) => {
        process.ended = true;
        const removed = reports.flatMap((r) => r.removed.map((x) => `${x.kind} ${x.id}`));
        this.log(`  ${process.label} removed ${removed.length ? removed.join(', ') : 'nothing'}`);
        this.monitor.janitorEnded(watch);
      },
      (error: Error) => {
        process.ended = true;
        this.log(`  ${process.label} failed: ${error.name}: ${error.message}`);
      },
    );
    this.janitorRuns.add(run);
    void run.finally(() => this.janitorRuns.delete(run));
  }

  /** Lets the chosen waiting port calls proceed, one at a time. */
  async step(picks: readonly number[]): Promise<void> {
    const deadline = performance.now() + this.timing.settleMs;
    for (const pick of picks) {
      await this.quiet(deadline);
      const released = this.scheduler.release(pick);
      if (!released) break;
      this.log(`    ${released}`);
    }
    await this.quiet(deadline);
  }

  /**
   * Waits until every live process waits at the gate. A world that stays idle meanwhile waits only for time to
   * pass: the next callback deadline comes, timing out its wait. False if nothing moves and nothing can expire.
   */
  private async quiet(deadline: number): Promise<boolean> {
    while (performance.now() < deadline) {
      const before = this.scheduler.activity;
      if (await this.scheduler.quiescent(this.timing.quietMs)) return true;
      if (this.scheduler.activity !== before || this.scheduler.busy > 0) continue;
      if (!(await this.expireNextDeadline())) return false;
    }
    return false;
  }

  /** Time passes to the next callback deadline, which times out its wait. */
  private async expireNextDeadline(): Promise<boolean> {
    const at = this.tokens.nextDeadline();
    if (at === undefined) return false;
    const { clock } = this.world;
    const ahead = at - clock.now().getTime();
    if (ahead > 0) clock.advance(ahead / 1000);
    const expired = await this.tokens.expire(at);
    if (expired > 0) this.log(`    ${expired} callback wait(s) time out`);
    return expired > 0;
  }

  /**
   * Lets everything run to its end, one port call at a time, the next one chosen by a generator seeded from the
   * history: the same history interleaves the same way every time it runs (shrinking and replays rely on it).
   */
  async settle(seed: number): Promise<void> {
    const deadline = performance.now() + this.timing.settleMs;
    let state = seed >>> 0 || 1;
    while (this.scheduler.processes.some((p) => p.live)) {
      if (performance.now() > deadline) {
        const stuck = this.scheduler.processes.filter((p) => p.live).map((p) => p.label);
        this.monitor.violation(
          'liveness',
          `did not settle within ${this.timing.settleMs} ms: ${stuck.join('; ')}`,
        );
        return;
      }
      await this.quiet(deadline);
      // xorshift32: small, and the same sequence for the same seed.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      const released = this.scheduler.release(state);
      if (released) this.log(`    ${released}`);
      // Nothing waits at the gate: processes wait for the engine's timers or the world's callbacks.
      else await sleep(1);
    }
  }

  /**
   * kill -9 of the control plane, then `bakeshift up`: every execution is cut off where it is (its Lambda's next
   * port call never returns), the world loses what dies with the control plane, and the restart reconciles as
   * local/control-plane/control-plane.ts's reconcile() does (ADR 12).
   */
  async crash(): Promise<void> {
    // A crash falls between calls: one already sent is answered (the store's write lands, the API call is made).
    await this.quiet(performance.now() + this.timing.settleMs);
    this.scheduler.crash();
    for (const { process, execution } of this.deployments.values()) {
      if (!process.ended) execution.abort();
    }
    this.monitor.crashed();
    await this.world.crashed();
    try {
      await this.reconcile();
    } catch (error) {
      this.monitor.violation('restart', `the restart's reconciliation failed: ${(error as Error).message}`);
    }
    for (const target of TARGETS) this.monitor.checkSettled(target, 'after the restart');
  }

  /** ControlPlane.reconcile after the orphans and abandoned bakes: end what was interrupted, serve what is live. */
  private async reconcile(): Promise<void> {
    const ports = this.ports();
    for (const target of TARGETS) {
      const { service, environment } = target;
      const ended = await endInterruptedDeployments(
        { store: ports.store, baker: ports.baker, clock: ports.clock, isRunning: () => false },
        service,
        environment,
      );
      if (ended.length) this.log(`  the restart ends ${ended.join(', ')} as rolled back`);
      const traffic = {
        ...ports.traffic,
        shift: (...args: Parameters<typeof ports.traffic.shift>) => {
          this.monitor.beforePortCall('traffic', 'shift', [target]);
          return ports.traffic.shift(...args);
        },
      };
      const loaded = await ports.configs.load(service);
      const live = await relaunchLiveRelease({ ...ports, traffic }, loaded, service, environment);
      if (!live) continue;
      this.monitor.restartServes(target);
    }
  }

  // ---- Executions ----

  private artifactRequest(target: Target, version: string): DeploymentRequest {
    const requestedAt = new Date(this.world.clock.now().getTime() + ++this.sequence).toISOString();
    const artifact = {
      bucket: 'artifacts',
      key: `${target.service}/${version}.tgz`,
      // Unique per history: the engine outlives histories and execution names are never reused.
      versionId: `v${this.history}-${version}`,
      etag: createHash('md5').update(`${this.history}/${target.service}/${version}`).digest('hex'),
    };
    const base = { ...target, trigger: 'artifact' as const, requestedAt, artifact };
    return { deploymentId: deriveDeploymentId(base), ...base, version, requestedBy: 'model' };
  }

  /** Starts an execution named after the deployment; false when one of that name exists already. */
  start(request: DeploymentRequest): boolean {
    const label = `${request.deploymentId} (${request.service}/${request.environment} ${request.version})`;
    let execution: LocalExecution;
    try {
      execution = this.engine.start(request.deploymentId, request);
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return false;
      throw error;
    }
    if (this.deployments.has(request.deploymentId)) return false;
    const process = this.scheduler.add(
      new ModelProcess(request.deploymentId, 'execution', this.scheduler.generation, label),
    );
    const deployment = { request, process, execution };
    this.deployments.set(request.deploymentId, deployment);
    this.monitor.deploymentStarted(deployment);
    execution.onEvent((event) => this.onEvent(event));
    void execution.outcome.then((outcome) => {
      process.ended = true;
      if (process.dead) return;
      const ending = outcome.status === 'SUCCEEDED' ? 'succeeded' : `${outcome.error ?? outcome.status}`;
      this.log(`  ${request.deploymentId} ended: ${ending}`);
      this.monitor.deploymentEnded(deployment);
      if (this.options.janitorAfterEachDeployment) this.startJanitor(`after ${request.deploymentId}`);
    });
    return true;
  }

  /** A Wait state takes its time on the virtual clock (Step Functions would wait it out). */
  private onEvent(event: EventLog): void {
    this.scheduler.activity += 1;
    if (event.type !== 'StateEntered') return;
    const state = this.definition.States[event.state.name];
    if (state?.Type !== 'Wait') return;
    const seconds =
      typeof state.Seconds === 'number'
        ? state.Seconds
        : valueAt(event.state.input, String(state.SecondsPath ?? ''));
    if (typeof seconds === 'number' && seconds > 0) this.current?.clock.advance(seconds);
  }

  /** The wait Step Functions makes before this invocation, if it is a retry of a polling state. */
  private retryWait(call: TaskCall): number {
    const previous = this.lastCall.get(call.executionName);
    const attempt = previous?.stateName === call.stateName ? previous.attempt + 1 : 0;
    this.lastCall.set(call.executionName, { stateName: call.stateName, attempt });
    const retrier = pollingRetrierOf(this.definition, call.stateName);
    return retrier && attempt > 0 ? waitBeforeRetry(retrier, attempt) : 0;
  }

  private faultFor(call: TaskCall): BoundFault | undefined {
    for (const fault of this.faults) {
      if (fault.stateName !== call.stateName) continue;
      fault.deploymentId ??= call.executionName;
      if (fault.deploymentId !== call.executionName) continue;
      if (fault.persistence === 'once' && fault.used > 0) continue;
      fault.used += 1;
      return fault;
    }
    return undefined;
  }

  private async intercept(call: TaskCall, invoke: () => Promise<unknown>): Promise<unknown> {
    const deployment = this.deployments.get(call.executionName);
    if (!deployment || !this.current) return invoke();
    this.current.clock.advance(this.retryWait(call));
    const fault = this.faultFor(call);
    const invocation: Invocation = { process: deployment.process, stateName: call.stateName };
    const run = () => runAs(invocation, () => runAsFunction(call.functionName, invoke));
    if (!fault) return this.observed(deployment, call, run);
    const injected = () =>
      new BakeshiftError(fault.error, `fault injected into ${call.stateName} (${fault.when} its work)`);
    this.log(
      `    fault: ${call.stateName} of ${call.executionName} fails ${fault.when} its work (${fault.error})`,
    );
    if (fault.when === 'before') throw injected();
    if (fault.when === 'after') {
      await this.observed(deployment, call, run);
      throw injected();
    }
    return new Promise((_resolve, reject) => {
      invocation.cutOff = { left: fault.callsBeforeCut, cut: () => reject(injected()) };
      run().then(() => reject(injected()), reject);
    });
  }

  /** Runs a Task's handler to its end (or its own error) and lets the monitor look right after. */
  private async observed(deployment: RunningDeployment, call: TaskCall, run: () => Promise<unknown>) {
    const startedAt = this.world.clock.now();
    try {
      return await run();
    } finally {
      if (call.stateName === 'PrepareDeployment') this.monitor.afterPrepare(deployment.request, startedAt);
    }
  }
}

/** The value at a simple JSONPath (`$.a.b`) in a state's input. */
function valueAt(input: unknown, path: string): unknown {
  let value = input;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
