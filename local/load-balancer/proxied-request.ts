import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
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

/** The client's headers as a flat name/value list, without hop-by-hop ones: copied once, from the raw list. */
function requestHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) kept.push(name, raw[i + 1] ?? '');
  }
  kept.push('x-forwarded-for', req.socket.remoteAddress ?? '');
  return kept;
}

/** The target's response headers as a flat list for `writeHead`, without hop-by-hop ones. */
function responseHeaders(headers: IncomingHttpHeaders): (string | string[])[] {
  const kept: (string | string[])[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept.push(name, value);
  }
  return kept;
}

/**
 * One request through a listener, written straight from undici's dispatch callbacks into the client's
 * response: no intermediate stream, no pipeline, headers copied once (the data plane's hot path, measured in
 * ADR 42). A request whose connection to a target fails before any response byte is retried once on another
 * target when it is idempotent; otherwise the client gets a 502. Counts the target's in-flight requests (for
 * draining) and, unless it is the preview's, the group's metrics when the response is over.
 */
export class ProxiedRequest implements Dispatcher.DispatchHandler {
  private readonly headers: string[];
  private readonly started = performance.now();
  private target: Target;
  private controller: Dispatcher.DispatchController | undefined;
  private retried = false;
  /** Whether the current target's attempt is still counted in its in-flight requests. */
  private attemptOpen = false;
  /** Whether the client's response is over (ended, failed or destroyed). */
  private settled = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly group: TargetGroup,
    first: Target,
    measured: boolean,
    /** Where retries are counted (the listener's figure). */
    private readonly retries: { retriedRequests: number },
  ) {
    this.headers = requestHeaders(req);
    this.target = first;
    res.once('close', () => {
      this.finish();
      if (measured) group.metrics.record(res.statusCode, performance.now() - this.started);
      if (this.settled) return;
      // The client went away before the target's answer ended: stop reading it.
      this.settled = true;
      this.controller?.abort(new Error('the client closed the connection'));
    });
    this.send();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(_: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders) {
    if (statusCode < 200) return; // 1xx: informational, the final answer follows
    this.res.writeHead(statusCode, responseHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.settled = true;
    this.finish();
    this.res.end();
  }

  onResponseError(_: Dispatcher.DispatchController, error: Error): void {
    this.finish();
    if (this.settled) return;
    if (this.res.headersSent) {
      this.settled = true;
      this.res.destroy();
      return;
    }
    const second =
      !this.retried && IDEMPOTENT.has(this.req.method ?? 'GET') ? this.group.pick(this.target.id) : undefined;
    if (second) {
      this.retried = true;
      this.retries.retriedRequests += 1;
      this.target = second;
      this.send();
      return;
    }
    this.settled = true;
    this.res.writeHead(502, { 'content-type': 'text/plain' }).end(`502 ${error.message}\n`);
  }

  private send(): void {
    this.target.inFlight += 1;
    this.attemptOpen = true;
    const method = this.req.method ?? 'GET';
    this.target.pool.dispatch(
      {
        path: this.req.url ?? '/',
        method,
        headers: this.headers,
        body: method === 'GET' || method === 'HEAD' ? null : this.req,
      },
      this,
    );
  }

  /** The current target's request is over (once per attempt). */
  private finish(): void {
    if (!this.attemptOpen) return;
    this.attemptOpen = false;
    this.target.inFlight -= 1;
  }
}
