import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import { MAX_WEIGHTED_FLEETS } from '../../core/ports/traffic.js';
import { ProxiedRequest } from './proxied-request.js';
import type { TargetGroup } from './target-group.js';

/**
 * One listener with ALB forward semantics: requests are spread across up to five target groups by weight;
 * within a group, across its healthy targets. A request whose connection to a target fails before any
 * response byte is retried once on another target when it is idempotent (a connection the target closed
 * while idle must not become a failed request). Keep-alive on both sides.
 */
export class Listener {
  private weights: FleetWeight[] = [];
  private readonly server: Server;
  port = 0;
  /** Requests sent to a second target after the first failed before any response byte (an ALB answers 502). */
  retriedRequests = 0;

  constructor(
    readonly name: string,
    private readonly groupOf: (fleetId: string) => TargetGroup | undefined,
    /** Whether what it forwards counts in the groups' metrics (the main listener's do; the preview's do not). */
    private readonly measured = true,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
    // Like an ALB's idle timeout: clients may keep connections open across a deployment.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  currentWeights(): FleetWeight[] {
    return structuredClone(this.weights);
  }

  setWeights(weights: FleetWeight[]): void {
    if (weights.length > MAX_WEIGHTED_FLEETS) {
      throw new Error(`${this.name}: at most ${MAX_WEIGHTED_FLEETS} target groups can share a listener`);
    }
    const total = weights.reduce((sum, w) => sum + w.percent, 0);
    if (weights.length > 0 && total !== 100)
      throw new Error(`${this.name}: weights sum to ${total}, not 100`);
    for (const w of weights) {
      if (!this.groupOf(w.fleetId)) throw new Error(`${this.name}: no target group for fleet ${w.fleetId}`);
    }
    this.weights = structuredClone(weights);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A target group by weight, among those with a target to route to (no allocation: this runs per request). */
  private chooseGroup(): TargetGroup | undefined {
    let total = 0;
    for (const w of this.weights)
      if (w.percent > 0 && this.groupOf(w.fleetId)?.hasRoutableTargets()) total += w.percent;
    let draw = Math.random() * total;
    let last: TargetGroup | undefined;
    for (const w of this.weights) {
      const group = this.groupOf(w.fleetId);
      if (w.percent <= 0 || !group?.hasRoutableTargets()) continue;
      last = group;
      draw -= w.percent;
      if (draw < 0) return group;
    }
    return last;
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const group = this.chooseGroup();
    const first = group?.pick();
    if (!group || !first) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('503 no healthy target\n');
      return;
    }
    new ProxiedRequest(req, res, group, first, this.measured, this);
  }
}
