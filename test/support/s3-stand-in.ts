import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';

const credentials = { accessKeyId: 'STANDIN', secretAccessKey: 'stand-in-secret' };
const region = 'us-east-1';

/**
 * A stand-in for S3's presigned GET and PUT (tests only): objects in memory, served on 127.0.0.1 to whoever
 * holds a URL the real SDK presigned for it. Every request's SigV4 query signature is checked by signing the
 * same request again with the SDK's own presigner at the URL's date (s3rver, tried first, does not check
 * them), and an expired URL is refused as S3 refuses it.
 */
export class S3StandIn {
  readonly objects = new Map<string, Buffer>();
  /** Every request and the status it got: what the builder fetched and reported. */
  readonly requests: { method: string; key: string; status: number }[] = [];
  private server: Server | undefined;
  private readonly presigner = new S3RequestPresigner({
    credentials,
    region,
    sha256: Hash.bind(null, 'sha256'),
  });
  private endpoint = '';

  /** Starts serving; returns an S3 client whose presigned URLs point here. */
  async start(): Promise<S3Client> {
    const server = createServer((req, res) => {
      void this.answer(req).then(({ status, body }) => {
        res.writeHead(status, {
          'content-type': status === 200 ? 'application/octet-stream' : 'application/xml',
        });
        res.end(body);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return new S3Client({ endpoint: this.endpoint, forcePathStyle: true, region, credentials });
  }

  /**
   * Stops at once, whatever its clients still hold open. Never started (the test's setup failed first): nothing
   * to stop, and nothing to wait for (waiting held the boot test's afterAll until its 20-minute hook timeout).
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; body: string | Buffer }> {
    const url = new URL(req.url ?? '/', this.endpoint);
    const key = decodeURIComponent(url.pathname.slice(1));
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
    const refusal = await this.refusalOf(req, url);
    const record = (status: number) => this.requests.push({ method: req.method ?? '', key, status });
    if (refusal) {
      record(403);
      return { status: 403, body: `<Error><Code>${refusal}</Code></Error>` };
    }
    if (req.method === 'PUT') {
      this.objects.set(key, body);
      record(200);
      return { status: 200, body: '' };
    }
    const object = this.objects.get(key);
    record(object ? 200 : 404);
    return object
      ? { status: 200, body: object }
      : { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
  }

  /** Why S3 would refuse this request (SignatureDoesNotMatch, AccessDenied), or undefined. */
  private async refusalOf(req: IncomingMessage, url: URL): Promise<string | undefined> {
    const given = url.searchParams.get('X-Amz-Signature');
    const date = url.searchParams.get('X-Amz-Date');
    const expires = Number(url.searchParams.get('X-Amz-Expires'));
    if (!given || !date || !expires) return 'AccessDenied';
    const signedAt = Date.parse(
      date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    if (Date.now() > signedAt + expires * 1000) return 'AccessDenied';
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) if (!name.startsWith('X-Amz-')) query[name] = value;
    const signedHeaders = (url.searchParams.get('X-Amz-SignedHeaders') ?? 'host').split(';');
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(req.headers[name] ?? '')]));
    const again = await this.presigner.presign(
      new HttpRequest({
        method: req.method ?? 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query,
        headers,
      }),
      { signingDate: new Date(signedAt), expiresIn: expires },
    );
    return again.query?.['X-Amz-Signature'] === given ? undefined : 'SignatureDoesNotMatch';
  }
}
