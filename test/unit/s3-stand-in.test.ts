import { crc32 } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3StandIn } from '../support/s3-stand-in.js';

/** The boot test's S3 checks signatures, or it would prove nothing about the presigned URLs the builder uses. */
const s3 = new S3StandIn();
let client: Awaited<ReturnType<S3StandIn['start']>>;
beforeAll(async () => {
  client = await s3.start();
});
afterAll(async () => s3.stop());

describe('the S3 stand-in (presigned URLs, real SigV4)', () => {
  it('serves a presigned PUT then GET, and refuses an altered signature, another key or method, and an expired URL', async () => {
    const put = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'b', Key: 'bake-results/x.json', ContentType: 'application/json' }),
      { expiresIn: 60 },
    );
    expect(
      (await fetch(put, { method: 'PUT', body: '{"ok":1}', headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(200);
    const get = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: 'b', Key: 'bake-results/x.json' }),
      {
        expiresIn: 60,
      },
    );
    const answer = await fetch(get);
    expect([answer.status, await answer.text()]).toEqual([200, '{"ok":1}']);

    const altered = get.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    expect((await fetch(altered)).status).toBe(403);
    expect((await fetch(get.replace('x.json', 'y.json'))).status).toBe(403);
    expect((await fetch(get, { method: 'PUT', body: 'x' })).status).toBe(403);
    const expired = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: 'b', Key: 'bake-results/x.json' }),
      {
        expiresIn: 1,
        signingDate: new Date(Date.now() - 5000),
      },
    );
    expect((await fetch(expired)).status).toBe(403);
  });

  it('refuses a PUT whose body does not match the checksum its URL claims, as S3 does (BadDigest)', async () => {
    // The SDK's default checksums (3.729 on) sign the empty body's CRC32 into a presigned PUT.
    const defaults = new S3Client({
      endpoint: s3.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'STANDIN', secretAccessKey: 'stand-in-secret' },
    });
    const report = '{"status":"succeeded"}';
    const put = (url: string) =>
      fetch(url, { method: 'PUT', body: report, headers: { 'content-type': 'application/json' } });
    const emptyBodys = await getSignedUrl(
      defaults,
      new PutObjectCommand({ Bucket: 'b', Key: 'bake-results/y.json', ContentType: 'application/json' }),
      { expiresIn: 60 },
    );
    expect(new URL(emptyBodys).searchParams.get('x-amz-checksum-crc32')).toBe('AAAAAA==');
    const refused = await put(emptyBodys);
    expect([refused.status, await refused.text()]).toEqual([
      400,
      expect.stringContaining('x-amz-checksum-crc32 is AAAAAA==, the body'),
    ]);
    expect(s3.objects.has('b/bake-results/y.json')).toBe(false);

    // A checksum that is the body's is accepted.
    const rightCrc = Buffer.alloc(4);
    rightCrc.writeUInt32BE(crc32(Buffer.from(report)));
    const claimingTheBody = await getSignedUrl(
      defaults,
      new PutObjectCommand({
        Bucket: 'b',
        Key: 'bake-results/y.json',
        ContentType: 'application/json',
        ChecksumCRC32: rightCrc.toString('base64'),
      }),
      { expiresIn: 60 },
    );
    expect((await put(claimingTheBody)).status).toBe(200);
    // And the baker's client claims none at all.
    const bakers = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'b', Key: 'bake-results/z.json', ContentType: 'application/json' }),
      { expiresIn: 60 },
    );
    expect([...new URL(bakers).searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect((await put(bakers)).status).toBe(200);
  });
});
