import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { FleetWeight } from '../../core/deployment/traffic-plan.js';
import { MAX_WEIGHTED_FLEETS } from '../../core/ports/traffic.js';
import type { Target, TargetGroup } from './target-group.js';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

function forwardable(headers: Record<string, string | string[] | undefined>) {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) result[name] = value;
  }
  return result;
}

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
    this.server = createServer((req, res) => void this.handle(req, res));
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

  private chooseGroup(): TargetGroup | undefined {
    const candidates = this.weights
      .map((w) => ({ weight: w.percent, group: this.groupOf(w.fleetId) }))
      .filter(
        (c): c is { weight: number; group: TargetGroup } =>
          c.weight > 0 && c.group?.hasRoutableTargets() === true,
      );
    const total = candidates.reduce((sum, c) => sum + c.weight, 0);
    let draw = Math.random() * total;
    for (const candidate of candidates) {
      draw -= candidate.weight;
      if (draw < 0) return candidate.group;
    }
    return candidates.at(-1)?.group;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const group = this.chooseGroup();
    const first = group?.pick();
    if (!group || !first) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('503 no healthy target\n');
      return;
    }
    const retryable = IDEMPOTENT.has(req.method ?? 'GET');
    this.measure(group, res);
    try {
      await this.forward(req, res, first);
    } catch (error) {
      const second = retryable && !res.headersSent ? group.pick(first.id) : undefined;
      if (second) {
        this.retriedRequests += 1;
        try {
          await this.forward(req, res, second);
          return;
        } catch {
          // Fall through to the 502 below.
        }
      }
      if (!res.headersSent)
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`502 ${(error as Error).message}\n`);
      else res.destroy();
    }
  }

  /** Counts the response in the group's metrics once it is over (status and time), unless this is the preview. */
  private measure(group: TargetGroup, res: ServerResponse) {
    if (!this.measured) return;
    const started = performance.now();
    res.once('close', () => group.metrics.record(res.statusCode, performance.now() - started));
  }

  private async forward(req: IncomingMessage, res: ServerResponse, target: Target) {
    target.inFlight += 1;
    try {
      const method = (req.method ?? 'GET') as 'GET';
      const upstream = await target.pool.request({
        path: req.url ?? '/',
        method,
        headers: { ...forwardable(req.headers), 'x-forwarded-for': req.socket.remoteAddress ?? '' },
        body: method === 'GET' || method === 'HEAD' ? null : req,
      });
      res.writeHead(upstream.statusCode, forwardable(upstream.headers));
      await pipeline(upstream.body, res);
    } finally {
      target.inFlight -= 1;
    }
  }
}
