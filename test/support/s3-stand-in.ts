import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { presigningS3Client } from '../../aws/baker/presigning-s3-client.js';

const credentials = { accessKeyId: 'STANDIN', secretAccessKey: 'stand-in-secret' };
const region = 'us-east-1';

/**
 * A stand-in for S3's presigned GET and PUT (tests only): objects in memory, served on 127.0.0.1 to whoever
 * holds a URL the real SDK presigned for it. Every request's SigV4 query signature is checked by signing the
 * same request again with the SDK's own presigner at the URL's date (s3rver, tried first, does not check
 * them), an expired URL is refused as S3 refuses it, and so is a PUT whose body does not match a checksum the
 * request claims (`x-amz-checksum-<algorithm>` in its query or headers: S3's BadDigest).
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

  /** Starts serving; returns an S3 client whose presigned URLs point here, configured as the baker's is. */
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
    return presigningS3Client({ endpoint: this.endpoint, forcePathStyle: true, region, credentials });
  }

  /** The address presigned URLs point at (for a client configured otherwise, e.g. the SDK's defaults). */
  get url(): string {
    return this.endpoint;
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
    const mismatch = req.method === 'PUT' ? checksumMismatch(req, url, body) : undefined;
    if (mismatch) {
      record(400);
      return { status: 400, body: `<Error><Code>BadDigest</Code><Message>${mismatch}</Message></Error>` };
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

/** A body's checksum as S3 encodes it (base64 of the big-endian digest), by algorithm; CRC32C is not known here. */
const CHECKSUMS: Record<string, (body: Buffer) => string> = {
  crc32: (body) => {
    const digest = Buffer.alloc(4);
    digest.writeUInt32BE(crc32(body));
    return digest.toString('base64');
  },
  sha1: (body) => createHash('sha1').update(body).digest('base64'),
  sha256: (body) => createHash('sha256').update(body).digest('base64'),
};

/** Why S3 would refuse this body for the checksum its request claims, or undefined if it claims none or matches. */
function checksumMismatch(req: IncomingMessage, url: URL, body: Buffer): string | undefined {
  const claims = [
    ...[...url.searchParams].map(([name, value]) => [name.toLowerCase(), value] as const),
    ...Object.entries(req.headers).map(([name, value]) => [name, String(value)] as const),
  ].filter(([name]) => name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-mode');
  for (const [name, claimed] of claims) {
    const algorithm = name.slice('x-amz-checksum-'.length);
    const checksum = CHECKSUMS[algorithm];
    if (!checksum) return `the stand-in cannot check ${name}`;
    const actual = checksum(body);
    if (actual !== claimed) return `${name} is ${claimed}, the body's is ${actual}`;
  }
  return undefined;
}
