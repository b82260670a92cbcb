import { Pool, request } from 'undici';
import type { FleetSpec } from '../../core/ports/fleets.js';
import type { FleetHealth } from '../../core/ports/health.js';
import { RequestMetrics } from './request-metrics.js';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface Target {
  id: string;
  origin: string;
  state: TargetState;
  reason: string;
  inFlight: number;
  /** Consecutive passed (positive) or failed (negative) health checks. */
  streak: number;
  /** Keep-alive connections from the load balancer to this target. */
  pool: Pool;
}

export type HealthCheckSettings = FleetSpec['healthCheck'];

/**
 * A target group with ALB semantics: a new target is `initial` until it passes one check; a healthy one
 * becomes unhealthy after `unhealthyThreshold` failed checks and healthy again after `healthyThreshold`
 * passes; a deregistered one is `draining`, gets no new requests, and is removed once its in-flight requests
 * end or the deregistration delay passes.
 */
export class TargetGroup {
  private readonly targets = new Map<string, Target>();
  /** What the group answered through its service's main listener (not the preview): for analysis. */
  readonly metrics = new RequestMetrics();
  private readonly timer: NodeJS.Timeout;
  private cursor = 0;
  /** Targets that take new requests (not draining), and the healthy ones among them: kept, not computed per request. */
  private routable: Target[] = [];
  private healthy: Target[] = [];

  constructor(
    readonly fleetId: string,
    private readonly health: HealthCheckSettings,
    readonly deregistrationDelaySeconds: number,
  ) {
    this.timer = setInterval(() => void this.checkAll(), health.intervalSeconds * 1000);
    this.timer.unref();
  }

  register(id: string, port: number): void {
    const origin = `http://127.0.0.1:${port}`;
    this.targets.set(id, {
      id,
      origin,
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      inFlight: 0,
      streak: 0,
      // The upstream idle timeout stays below the app's keep-alive timeout, so a reused connection is not one
      // the app is closing at that moment.
      pool: new Pool(origin, { connections: 128, keepAliveTimeout: 2_000, keepAliveMaxTimeout: 4_000 }),
    });
    this.refreshRoutes();
    void this.check(id);
  }

  /** Starts draining; resolves once the target is gone (in-flight requests ended, or the delay passed). */
  async deregister(id: string): Promise<void> {
    const target = this.targets.get(id);
    if (!target) return;
    target.state = 'draining';
    target.reason = 'Target.DeregistrationInProgress';
    this.refreshRoutes();
    const deadline = Date.now() + this.deregistrationDelaySeconds * 1000;
    while (target.inFlight > 0 && Date.now() < deadline) await sleep(25);
    this.targets.delete(id);
    this.refreshRoutes();
    await target.pool.close().catch(() => undefined);
  }

  async deregisterAll(): Promise<void> {
    await Promise.all([...this.targets.keys()].map((id) => this.deregister(id)));
  }

  /** Starts draining every target without waiting (the ALB's deregistration): used by a traffic drain. */
  startDraining(): void {
    for (const id of this.targets.keys()) void this.deregister(id);
  }

  /**
   * The target for the next request: healthy ones in turn; if none is healthy, fail open to all that are not
   * draining. `except` (a target that just failed) is never picked.
   */
  pick(except?: string): Target | undefined {
    return this.next(this.healthy, except) ?? this.next(this.routable, except);
  }

  private next(candidates: Target[], except: string | undefined): Target | undefined {
    for (let tried = 0; tried < candidates.length; tried++) {
      this.cursor = (this.cursor + 1) % candidates.length;
      const target = candidates[this.cursor];
      if (target && target.id !== except) return target;
    }
    return undefined;
  }

  /** Called whenever a target's state changes or one comes or goes. */
  private refreshRoutes(): void {
    this.routable = [...this.targets.values()].filter((t) => t.state !== 'draining');
    this.healthy = this.routable.filter((t) => t.state === 'healthy');
  }

  /** Targets that are not draining. */
  targetIds(): string[] {
    return [...this.targets.values()].filter((t) => t.state !== 'draining').map((t) => t.id);
  }

  /** Deregistered targets still finishing their requests (within the deregistration delay). */
  drainingTargets(): number {
    return [...this.targets.values()].filter((t) => t.state === 'draining').length;
  }

  hasRoutableTargets(): boolean {
    return this.routable.length > 0;
  }

  describe(): FleetHealth {
    const targets = [...this.targets.values()];
    const count = (state: TargetState) => targets.filter((t) => t.state === state).length;
    const details = targets
      .filter((t) => t.state !== 'healthy')
      .map((t) => `${t.id} ${t.state}: ${t.reason}`);
    return { healthy: count('healthy'), unhealthy: count('unhealthy'), total: targets.length, details };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.targets.values()].map((t) => t.pool.close().catch(() => undefined)));
    this.targets.clear();
    this.refreshRoutes();
  }

  private async checkAll() {
    await Promise.all([...this.targets.keys()].map((id) => this.check(id)));
  }

  /** One health check of a target, as an ALB reports its result: passed, or the reason code. */
  private async probe(target: Target): Promise<{ passed: boolean; reason: string }> {
    try {
      const response = await request(`${target.origin}${this.health.path}`, {
        signal: AbortSignal.timeout(this.health.timeoutSeconds * 1000),
        reset: true,
      });
      await response.body.dump();
      const passed = response.statusCode === 200;
      return { passed, reason: passed ? '' : `Target.ResponseCodeMismatch (${response.statusCode})` };
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      return {
        passed: false,
        reason: timedOut ? 'Target.Timeout' : 'Target.FailedHealthChecks (connection refused)',
      };
    }
  }

  private async check(id: string) {
    const target = this.targets.get(id);
    if (!target || target.state === 'draining') return;
    const { passed, reason } = await this.probe(target);
    // It may have been deregistered while the check ran.
    if (!this.targets.has(id) || isDraining(target)) return;
    target.streak = passed ? Math.max(target.streak, 0) + 1 : Math.min(target.streak, 0) - 1;
    const before = target.state;
    if (passed) {
      if (target.state === 'initial' || target.streak >= this.health.healthyThreshold) {
        target.state = 'healthy';
        target.reason = '';
      }
    } else {
      target.reason = reason;
      if (-target.streak >= this.health.unhealthyThreshold) target.state = 'unhealthy';
    }
    if (target.state !== before) this.refreshRoutes();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isDraining = (target: Target) => target.state === 'draining';
