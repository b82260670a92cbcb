import { TERMINAL_STATUSES } from '../../core/deployment/deployment-record.js';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import { holderIsDone } from '../../core/deployment/lock-takeover.js';
import { greenFleetIdOf } from '../../core/deployment/resource-names.js';
import { leavesTrafficInDoubt } from '../../core/deployment/traffic-in-doubt.js';
import { ROLLBACK_WINDOW_RELEASES } from '../../core/releases/select-garbage.js';
import { DEPLOY_HOLDER_BOUNDS } from '../../statemachines/holder-bounds.js';
import type { ModelControlPlane, RunningDeployment } from './model-control-plane.js';
import { DRAIN_SECONDS, modelConfigs, SERVICES, TARGETS, type Target, targetKey } from './model-world.js';
import { currentInvocation } from './scheduler.js';

/** The invariants, named as the report and the ADR name them. */
export const INVARIANTS = {
  routedFleetKept:
    'no fleet any listener or the preview listener routes to (or whose targets still drain) is removed',
  oneLiveRelease:
    'after each settled deployment: exactly one live release per environment, and the listener routes to it alone',
  noStaleLock:
    "no lock is held by a deployment that can no longer act under it (ended, past its steps' bounds) after the next PrepareDeployment",
  janitorLeavesOnlyWhatIsNeeded:
    'after a janitor run with nothing in flight, nothing managed remains but live (or routed, or draining) fleets, what a deployment not ended names, rollback-window and retained images, and the images of fleets kept',
  oneShiftAtATime: 'never two deployments shifting one listener at once',
  liveness: 'every history settles: each deployment and janitor run ends',
  restart: 'the restart after a crash reconciles without error',
} as const;
export type InvariantName = keyof typeof INVARIANTS;

export interface Violation {
  invariant: InvariantName;
  detail: string;
}

/** What the histories exercised (printed with the run, so a green run shows what it covered). */
export class Coverage {
  readonly counts = new Map<string, number>();

  add(what: string, n = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + n);
  }

  summary(): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([what, n]) => `${what}: ${n}`)
      .join(', ');
  }
}

export const coverage = new Coverage();

const key = targetKey;
const formatWeights = (weights: Record<string, number>) =>
  Object.keys(weights).length === 0
    ? 'nowhere'
    : Object.entries(weights)
        .map(([fleet, percent]) => `${percent}% to ${fleet}`)
        .join(', ');

/**
 * Watches one history: some invariants at the moment something happens (a removal, a traffic change, the end of
 * a PrepareDeployment, of a deployment, of a janitor run), the rest after every command. Violations are kept,
 * and the command that saw them fails the history.
 */
export class InvariantMonitor {
  readonly violations: Violation[] = [];
  /** Listener → the deployment shifting it (from its first shift until it committed or restored). */
  private readonly shifting = new Map<string, string>();
  /** Fleet → until when (epoch ms) its deregistered targets still finish in-flight requests. */
  private readonly drainingUntil = new Map<string, number>();
  /**
   * Environments whose routing is in doubt as the record of a compensated deployment says (RestoreTraffic failed
   * for good: green is kept, it may take traffic; ADR 2), until a deployment commits there or a restart routes
   * all traffic to the live release.
   */
  private readonly inDoubt = new Map<string, string>();
  private starts = 0;

  constructor(private readonly plane: ModelControlPlane) {}

  private get world() {
    return this.plane.world;
  }

  violation(invariant: InvariantName, detail: string): void {
    this.violations.push({ invariant, detail });
    this.plane.log(`  VIOLATION (${invariant}): ${detail}`);
  }

  deploymentStarted(_deployment: RunningDeployment): void {
    this.starts += 1;
    coverage.add('deployments');
  }

  private caller(): string {
    const invocation = currentInvocation();
    if (!invocation) return 'the control plane';
    const { process, stateName } = invocation;
    return process.kind === 'janitor' ? process.label : `${stateName ?? '?'} of ${process.id}`;
  }

  private callerDeployment(): string | undefined {
    const invocation = currentInvocation();
    return invocation?.process.kind === 'execution' ? invocation.process.id : undefined;
  }

  // ---- Invariant 1: no routed fleet is removed ----

  /** Called by the world before it removes a fleet (or takes it out of its target group). */
  removing(fleetId: string, how: string): void {
    const reasons: { preview: boolean; text: string }[] = [];
    for (const target of TARGETS) {
      const percent = this.world.listenerWeights(target.service, target.environment)[fleetId];
      if (percent) reasons.push({ preview: false, text: `the ${key(target)} listener sends it ${percent}%` });
      if (this.world.previewFleet(target.service, target.environment) === fleetId)
        reasons.push({ preview: true, text: `the ${key(target)} preview listener forwards to it` });
    }
    const until = this.drainingUntil.get(fleetId);
    const now = this.world.clock.now().getTime();
    if (until !== undefined && now < until)
      reasons.push({
        preview: false,
        text: `its targets still drain for ${Math.ceil((until - now) / 1000)} s`,
      });
    if (reasons.length === 0) return;
    const invocation = currentInvocation();
    // A compensation destroys its own green, which only the preview listener reached (ADR 37).
    const ownGreen =
      invocation?.stateName === 'DestroyGreen' && greenFleetIdOf(invocation.process.id) === fleetId;
    if (ownGreen && reasons.every((r) => r.preview)) {
      coverage.add('own green destroyed behind the preview listener');
      return;
    }
    this.violation(
      'routedFleetKept',
      `${this.caller()} removes fleet ${fleetId} (${how}) while ${reasons.map((r) => r.text).join(' and ')}`,
    );
  }

  // ---- Invariant 5: one deployment shifts a listener at a time ----

  beforePortCall(port: string, method: string, args: unknown[]): void {
    if (port !== 'traffic' || (method !== 'shift' && method !== 'restore')) return;
    const listener = key(args[0] as Target);
    const by = this.callerDeployment();
    const holder = this.shifting.get(listener);
    if (holder && holder !== by && this.plane.deployments.get(holder)?.process.live) {
      this.violation(
        'oneShiftAtATime',
        `${by ? `${method === 'shift' ? 'ShiftTraffic' : 'RestoreTraffic'} of ${by}` : 'the restart'} moves the ${listener} listener while ${holder} is shifting it`,
      );
    }
    if (method === 'shift' && by) this.shifting.set(listener, by);
  }

  afterPortCall(port: string, method: string, args: unknown[], result: unknown): void {
    const by = this.callerDeployment();
    if (port === 'traffic' && method === 'restore') this.endShift(key(args[0] as Target), by);
    if (port === 'store' && method === 'commitRelease') this.endShift(key(args[0] as Target), by);
    if (port === 'traffic' && method === 'drain') {
      const seconds = (result as { drainSeconds?: number } | undefined)?.drainSeconds ?? 0;
      // A retried drain of a fleet already out of its group drains nothing more (alb-traffic.ts returns the delay
      // without detaching again): the first drain, while it runs, is the one that ends.
      const fleetId = String(args[1]);
      const now = this.world.clock.now().getTime();
      const running = this.drainingUntil.get(fleetId);
      if (running === undefined || running <= now) this.drainingUntil.set(fleetId, now + seconds * 1000);
    }
  }

  private endShift(listener: string, by: string | undefined): void {
    if (by && this.shifting.get(listener) === by) this.shifting.delete(listener);
  }

  // ---- Invariant 3: no stale lock after PrepareDeployment ----

  /**
   * After a PrepareDeployment that ran at `at`: the lock is not held by a deployment that can no longer act
   * under it — its execution has ended and, by what its record says, the steps it could still be in are over
   * by the state machine's own bounds (ADR 35: rolled_back/superseded at once, succeeded once drain, reap and
   * prune cannot be running, compensating once its compensation cannot be).
   */
  afterPrepare(request: DeploymentRequest, at: Date): void {
    const holder = this.world.store.locks.get(key(request));
    if (!holder || holder === request.deploymentId) return;
    const record = this.world.store.deployments.get(holder);
    const running = this.plane.deployments.get(holder)?.process.live ?? false;
    if (!record || running) return;
    const verdict = holderIsDone(record, DEPLOY_HOLDER_BOUNDS, at);
    if (!verdict.done) {
      if (TERMINAL_STATUSES.includes(record.status))
        coverage.add('lock of an ended holder waited for (ADR 35)');
      return;
    }
    this.violation(
      'noStaleLock',
      `after PrepareDeployment of ${request.deploymentId}, ${key(request)} is still locked by ${holder} (${record.status}), though ${verdict.reason}`,
    );
  }

  // ---- Invariant 2: after each settled deployment, one live release that the listener routes to ----

  deploymentEnded(deployment: RunningDeployment): void {
    const { request } = deployment;
    const target = key(request);
    for (const [listener, holder] of this.shifting)
      if (holder === request.deploymentId) this.shifting.delete(listener);
    const record = this.world.store.deployments.get(request.deploymentId);
    coverage.add(`ended ${record?.status ?? 'without a record'}`);
    if (record?.status === 'succeeded') this.inDoubt.delete(target);
    // In doubt too when the record never got past compensating (RecordRollback failed for good): it does not
    // say where traffic was left, so no routing is claimed for it.
    // The same rule as `status` (core/deployment/traffic-in-doubt.ts).
    else if (record && leavesTrafficInDoubt(record)) this.inDoubt.set(target, request.deploymentId);
    const others = [...this.plane.deployments.values()].some(
      (d) => d.process.live && key(d.request) === target,
    );
    if (!others) this.checkSettled(request as unknown as Target, `after ${request.deploymentId} ended`);
  }

  restartServes(target: Target): void {
    this.inDoubt.delete(key(target));
  }

  crashed(): void {
    this.shifting.clear();
    coverage.add('crashes');
  }

  checkSettled(target: Target, when: string): void {
    const listener = key(target);
    const { store } = this.world;
    if (this.inDoubt.has(listener)) {
      coverage.add('routing in doubt, as a record says');
      return;
    }
    const live = store.live.get(listener);
    const weights = this.world.listenerWeights(target.service, target.environment);
    const routed = Object.entries(weights);
    if (!live) {
      const serving = routed.filter(([fleetId]) => this.world.fleetExists(fleetId));
      if (serving.length > 0)
        this.violation(
          'oneLiveRelease',
          `${listener} ${when}: no live release, yet the listener sends ${formatWeights(weights)}`,
        );
      const succeeded = [...store.deployments.values()].find(
        (d) => key(d) === listener && d.status === 'succeeded',
      );
      if (succeeded)
        this.violation(
          'oneLiveRelease',
          `${listener} ${when}: no live release, though ${succeeded.deploymentId} succeeded`,
        );
      return;
    }
    if (routed.length !== 1 || routed[0]?.[0] !== live.fleetId || routed[0]?.[1] !== 100)
      this.violation(
        'oneLiveRelease',
        `${listener} ${when}: the live release is ${live.deploymentId} (${live.version}), but the listener sends ${formatWeights(weights)}`,
      );
    if (!this.world.fleetExists(live.fleetId))
      this.violation(
        'oneLiveRelease',
        `${listener} ${when}: the live release's fleet ${live.fleetId} is gone`,
      );
    if (!this.world.imageExists(live.imageId))
      this.violation(
        'oneLiveRelease',
        `${listener} ${when}: the live release's image ${live.imageId} is gone`,
      );
    const status = store.deployments.get(live.deploymentId)?.status;
    if (status !== 'succeeded')
      this.violation(
        'oneLiveRelease',
        `${listener} ${when}: the live release's deployment ${live.deploymentId} is ${status}`,
      );
    coverage.add('settled environments checked');
  }

  // ---- Invariant 4: the janitor leaves only what is needed ----

  janitorStarted() {
    const quiet = ![...this.plane.deployments.values()].some((d) => d.process.live);
    return {
      quiet,
      starts: this.starts,
      images: new Map(SERVICES.map((service) => [service, this.world.images(service)])),
    };
  }

  janitorEnded(watch: ReturnType<InvariantMonitor['janitorStarted']>): void {
    const stillQuiet = ![...this.plane.deployments.values()].some((d) => d.process.live);
    if (!watch.quiet || !stillQuiet || this.starts !== watch.starts) {
      coverage.add('janitor runs beside deployments');
      return;
    }
    coverage.add('janitor runs with nothing in flight');
    for (const service of SERVICES) {
      const leftovers = this.leftoversOf(service, watch.images.get(service) ?? []);
      if (leftovers.length > 0)
        this.violation(
          'janitorLeavesOnlyWhatIsNeeded',
          `after the janitor, ${service} still has ${leftovers.map((l) => `${l.kind} ${l.id}`).join(', ')}`,
        );
    }
  }

  private leftoversOf(service: 'web' | 'api', imagesBefore: { imageId: string; createdAt: string }[]) {
    const { store } = this.world;
    const targets = TARGETS.filter((t) => t.service === service);
    const now = this.world.clock.now().getTime();
    const live = targets.flatMap((t) => {
      const release = store.live.get(key(t));
      return release ? [release] : [];
    });
    const keptFleets = new Set(live.map((r) => r.fleetId));
    for (const t of targets) {
      for (const fleetId of Object.keys(this.world.listenerWeights(t.service, t.environment)))
        keptFleets.add(fleetId);
      const preview = this.world.previewFleet(t.service, t.environment);
      if (preview) keptFleets.add(preview);
    }
    for (const [fleetId, until] of this.drainingUntil) if (now < until) keptFleets.add(fleetId);
    // A drain the records say began (DrainBlue's start) is taken to run its deregistration delay: the janitor
    // cannot tell whether the step got as far as draining (ADR 32).
    for (const d of store.deployments.values()) {
      const drained = d.blue?.fleetId ?? d.previousRelease?.fleetId;
      const began = d.phases.reap ? Date.parse(d.phases.reap) : Number.NaN;
      if (d.service === service && drained && now < began + DRAIN_SECONDS * 1000) {
        keptFleets.add(drained);
        coverage.add('kept as draining, as a record says');
      }
    }
    const keptImages = new Set(live.map((r) => r.imageId));
    // What a deployment not yet ended names stays (its record not terminal, e.g. left compensating by a double
    // fault, ADR 31; or still holding its lock, its release failed), as the janitor's rule says (ADR 32).
    const holders = new Set(store.locks.values());
    for (const d of store.deployments.values()) {
      if (d.service !== service) continue;
      if (TERMINAL_STATUSES.includes(d.status) && !holders.has(d.deploymentId)) continue;
      for (const fleetId of [d.greenFleetId, d.blue?.fleetId, d.previousRelease?.fleetId])
        if (fleetId) keptFleets.add(fleetId);
      for (const imageId of [d.imageId, d.blue?.imageId, d.previousRelease?.imageId])
        if (imageId) keptImages.add(imageId);
      coverage.add('kept for a deployment not ended');
    }
    // A fleet kept keeps the image it runs.
    for (const d of store.deployments.values())
      if (d.service === service && d.imageId && keptFleets.has(d.greenFleetId)) keptImages.add(d.imageId);
    for (const t of targets) {
      const succeeded = [...store.deployments.values()]
        .filter((d) => key(d) === key(t) && d.status === 'succeeded' && d.imageId)
        .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
      for (const d of succeeded.slice(0, ROLLBACK_WINDOW_RELEASES)) keptImages.add(d.imageId ?? '');
    }
    const retain = modelConfigs()[service].retention.images;
    const newest = imagesBefore.map((i) => i.createdAt).sort((a, b) => b.localeCompare(a));
    const cutoff = newest[retain - 1];
    for (const image of imagesBefore)
      if (cutoff === undefined || image.createdAt >= cutoff) keptImages.add(image.imageId);
    return [
      ...this.world
        .fleetsOf(service)
        .filter((f) => !keptFleets.has(f.fleetId))
        .map((f) => ({ kind: 'fleet', id: f.fleetId })),
      ...this.world
        .images(service)
        .filter((i) => !keptImages.has(i.imageId))
        .map((i) => ({ kind: 'image', id: i.imageId })),
      ...this.world.strayResources(service, new Set(this.world.fleetsOf(service).map((f) => f.fleetId))),
    ];
  }
}
