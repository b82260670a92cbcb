import { Agent, request } from 'undici';

export interface LoadSample {
  /** When the request was sent (ms since epoch). */
  sentAt: number;
  /** From sending the request to having read its whole answer. */
  latencyMs: number;
  /** The version that answered (the `x-hello-version` header, else the body's `version`), also when it failed. */
  version?: string;
  ok: boolean;
  error?: string;
}

export interface LoadOptions {
  url: string;
  /** Concurrent keep-alive connections, each with one request in flight at a time. */
  connections: number;
  /** Hard bounds: the load stops by itself. */
  maxDurationMs: number;
  maxRequests: number;
}

/**
 * Steady HTTP load against a listener on this machine: `connections` keep-alive connections, each sending the
 * next request as soon as the previous one is answered. Records which version answered each request.
 */
export class LoadGenerator {
  readonly samples: LoadSample[] = [];
  private stopping = false;
  private readonly agent: Agent;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly options: LoadOptions) {
    this.agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  start(): void {
    const deadline = Date.now() + this.options.maxDurationMs;
    const worker = async () => {
      while (!this.stopping && Date.now() < deadline && this.samples.length < this.options.maxRequests) {
        this.samples.push(await this.once());
      }
    };
    this.done = Promise.all(Array.from({ length: this.options.connections }, worker)).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
    await this.agent.close();
  }

  /** Requests sent in [from, to), with how many failed and which versions answered. */
  between(from: number, to = Number.POSITIVE_INFINITY) {
    return loadWindow(this.samples, from, to);
  }

  /** Milliseconds from `shiftAt` to the last request sent after it that `oldVersion` still answered. */
  cutoverMs(shiftAt: number, oldVersion: string): number {
    return cutoverOf(this.samples, shiftAt, oldVersion);
  }

  private async once(): Promise<LoadSample> {
    const sentAt = Date.now();
    const started = performance.now();
    const latencyMs = () => performance.now() - started;
    try {
      const response = await request(this.options.url, {
        dispatcher: this.agent,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const text = await response.body.text();
      const header = response.headers['x-hello-version'];
      const version = typeof header === 'string' ? header : undefined;
      if (response.statusCode !== 200)
        return {
          sentAt,
          latencyMs: latencyMs(),
          ok: false,
          error: `HTTP ${response.statusCode}: ${text.trim()}`,
          ...(version ? { version } : {}),
        };
      return {
        sentAt,
        latencyMs: latencyMs(),
        ok: true,
        version: version ?? (JSON.parse(text) as { version?: string }).version,
      };
    } catch (error) {
      return { sentAt, latencyMs: latencyMs(), ok: false, error: (error as Error).message };
    }
  }
}

/**
 * Requests sent in [from, to): how many failed, which versions answered them successfully (`versions`), which
 * versions failed them (`failedBy`, 'load balancer' when no version answered), and when the first and last
 * failures were sent.
 */
export function loadWindow(samples: LoadSample[], from: number, to = Number.POSITIVE_INFINITY) {
  const window = samples.filter((s) => s.sentAt >= from && s.sentAt < to);
  const failures = window.filter((s) => !s.ok);
  return {
    requests: window.length,
    failed: failures.length,
    errors: [...new Set(failures.map((f) => f.error))].slice(0, 5),
    versions: countBy(window.flatMap((s) => (s.ok && s.version ? [s.version] : []))),
    failedBy: countBy(failures.map((s) => s.version ?? 'load balancer')),
    // Samples are in the order their answers came, not the order they were sent.
    firstFailureSentAt: failures.reduce<number | undefined>(
      (first, s) => Math.min(first ?? s.sentAt, s.sentAt),
      undefined,
    ),
    lastFailureSentAt: failures.reduce<number | undefined>(
      (last, s) => Math.max(last ?? s.sentAt, s.sentAt),
      undefined,
    ),
  };
}

/** Milliseconds from `shiftAt` to the last request sent after it that `oldVersion` still answered. */
export function cutoverOf(samples: LoadSample[], shiftAt: number, oldVersion: string): number {
  const late = samples.filter((s) => s.sentAt >= shiftAt && s.version === oldVersion);
  return late.reduce((latest, s) => Math.max(latest, s.sentAt - shiftAt), 0);
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
