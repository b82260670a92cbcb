import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API request as it reached the front: enough to name its operation and to rewrite it. */
export interface AwsCall {
  /** The signing name of the service (`ec2`, `autoscaling`, `monitoring`, `s3`, `states`, `lambda`, …). */
  service: string;
  /** The operation where the protocol names it (query `Action`, JSON `X-Amz-Target`); REST calls have none. */
  action: string | undefined;
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface AwsAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A layer of the front: answers a call itself, or passes it (rewritten or not) to the next layer and moto. */
export type FrontLayer = (call: AwsCall, next: (call: AwsCall) => Promise<AwsAnswer>) => Promise<AwsAnswer>;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

/** The query protocol's parameters (EC2, Auto Scaling, ELBv2): the form body, or the URL's query. */
export function queryParams(call: AwsCall): URLSearchParams {
  const type = call.headers['content-type'] ?? '';
  return type.includes('x-www-form-urlencoded')
    ? new URLSearchParams(call.body.toString('utf8'))
    : new URL(call.url, 'http://front').searchParams;
}

export function withQueryParams(call: AwsCall, params: URLSearchParams): AwsCall {
  return { ...call, body: Buffer.from(params.toString(), 'utf8') };
}

export function jsonBody<T = Record<string, unknown>>(call: AwsCall): T {
  return JSON.parse(call.body.toString('utf8') || '{}') as T;
}

export const xmlAnswer = (status: number, xml: string): AwsAnswer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: Buffer.from(xml, 'utf8'),
});

export const jsonAnswer = (
  status: number,
  value: unknown,
  type = 'application/x-amz-json-1.0',
): AwsAnswer => ({
  status,
  headers: { 'content-type': type },
  body: Buffer.from(JSON.stringify(value), 'utf8'),
});

function serviceOf(request: IncomingMessage, url: URL): string {
  const authorization = String(request.headers.authorization ?? '');
  const scope =
    /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ??
    /^[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(url.searchParams.get('X-Amz-Credential') ?? '')?.[1];
  return scope ?? 'unknown';
}

function actionOf(request: IncomingMessage, url: URL, body: Buffer): string | undefined {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').at(-1);
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('x-www-form-urlencoded'))
    return new URLSearchParams(body.toString('utf8')).get('Action') ?? undefined;
  return url.searchParams.get('Action') ?? undefined;
}

/**
 * What every SDK client of the run is pointed at (AWS_ENDPOINT_URL): an HTTP server in front of moto_server
 * that passes each request through its layers (the shims, the stand-ins for what moto cannot run) and then to
 * moto. Every call is recorded by service and operation.
 */
export class MotoFront {
  readonly calls: { service: string; action: string; status: number }[] = [];
  /** Failures of the front's own layers (answered 500): a test that sees one fails with it. */
  readonly failures: string[] = [];
  private server: Server | undefined;
  private port = 0;

  /** The stand-ins for what moto cannot run: a scenario's own, outside the shims. */
  private outer: FrontLayer[] = [];

  constructor(
    private readonly motoEndpoint: string,
    private readonly shims: FrontLayer[],
  ) {}

  /** The scenario's stand-ins, in place of the last scenario's. */
  standIns(...layers: FrontLayer[]): void {
    this.outer = layers;
    this.failures.length = 0;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(
        (answer) => {
          response.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
          response.end(answer.body);
        },
        (error: Error) => {
          this.failures.push(error.stack ?? error.message);
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(`the moto front failed: ${error.stack ?? error.message}`);
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage): Promise<AwsAnswer> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://front');
    const headers = Object.fromEntries(
      Object.entries(request.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
    );
    const call: AwsCall = {
      service: serviceOf(request, url),
      action: actionOf(request, url, body),
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers,
      body,
    };
    const layers = [...this.outer, ...this.shims];
    const run = (index: number, current: AwsCall): Promise<AwsAnswer> => {
      const layer = layers[index];
      return layer ? layer(current, (next) => run(index + 1, next)) : this.toMoto(current);
    };
    const answer = await run(0, call);
    this.calls.push({ service: call.service, action: call.action ?? call.method, status: answer.status });
    return answer;
  }

  /** Passes a call to moto as it is (moto does not check signatures, so a rewritten body is accepted). */
  toMoto(call: AwsCall): Promise<AwsAnswer> {
    const target = new URL(this.motoEndpoint);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(call.headers)) if (!HOP_BY_HOP.has(key)) headers[key] = value;
    headers['content-length'] = String(call.body.length);
    // moto answers S3 by the host: the front's own, as the presigned URLs name it.
    headers.host = call.headers.host ?? target.host;
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, method: call.method, path: call.url, headers },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 500,
              headers: Object.fromEntries(
                Object.entries(response.headers).flatMap(([k, v]) =>
                  v === undefined || HOP_BY_HOP.has(k) ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]],
                ),
              ),
              body: Buffer.concat(parts),
            }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.setTimeout(60_000, () => outgoing.destroy(new Error(`moto did not answer ${call.url}`)));
      outgoing.end(call.body);
    });
  }
}
