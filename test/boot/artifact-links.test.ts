import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderUserData } from '../../aws/baker/builder-user-data.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { S3StandIn } from '../support/s3-stand-in.js';
import { BOOT_CACHE, baseRootfs, boot, copyRoot, seed } from './machine.js';

/**
 * The builder's link and archive checks in its exact user data, run by cloud-init under a real systemd
 * (systemd-nspawn, Debian bookworm: not Amazon Linux). Each bake here must fail, naming what it refused, and the
 * builder must report and power itself off.
 */

await mkdir(BOOT_CACHE, { recursive: true });
const work = await mkdtemp(join(BOOT_CACHE, 'links-'));
const s3 = new S3StandIn();
let client: S3Client;
let base = '';

beforeAll(async () => {
  base = await baseRootfs();
  client = await s3.start();
}, 20 * 60_000);
afterAll(async () => {
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

/** An app (a manifest needing no package, a server file, these links path → target), packed with the tar package. */
async function appArtifact(manifest: Record<string, unknown>, links: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'boot-links-'));
  await writeFile(join(dir, 'bakeshift.json'), JSON.stringify({ start: 'node server.js', ...manifest }));
  await writeFile(join(dir, 'server.js'), '// app');
  for (const [path, target] of Object.entries(links)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await symlink(target, join(dir, path));
  }
  await packDirectory(dir, `${dir}.tgz`);
  const bytes = await readFile(`${dir}.tgz`);
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.tgz`, { force: true });
  return bytes;
}

/** Boots a builder on the artifact; resolves once it has powered itself off, with its report. */
async function bake(name: string, artifact: Buffer) {
  const key = `web/staging/${name}.tgz`;
  s3.objects.set(`artifacts/${key}`, artifact);
  const resultKey = `bake-results/bake-${name}.json`;
  const userData = builderUserData({
    artifactUrl: await getSignedUrl(client, new GetObjectCommand({ Bucket: 'artifacts', Key: key }), {
      expiresIn: 900,
    }),
    resultUrl: await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'artifacts', Key: resultKey, ContentType: 'application/json' }),
      { expiresIn: 900 },
    ),
    timeoutSeconds: 60,
  });
  const root = await copyRoot(base, join(work, `builder-${name}`));
  await seed(root, `i-builder-${name}`, Buffer.from(userData, 'base64').toString('utf8'));
  const machine = await boot(root, 5 * 60_000);
  const exit = await machine.poweredOff;
  const stored = s3.objects.get(`artifacts/${resultKey}`);
  await rm(root, { recursive: true, force: true });
  return {
    exit,
    report: stored ? (JSON.parse(stored.toString('utf8')) as { status: string; logTail: string }) : undefined,
  };
}

describe('the builder, booted for real, refuses links out of the image', () => {
  it(
    'an artifact holding the climbing chain (a/b/c/d/l -> ../../../.., y -> a/b/c/d/l/../..)',
    async () => {
      const builder = await bake(
        'climbing-chain',
        await appArtifact({}, { 'a/b/c/d/l': '../../../..', y: 'a/b/c/d/l/../..' }),
      );
      expect(builder.exit).toBe(0);
      expect(builder.report?.status).toBe('failed');
      expect(builder.report?.logTail).toContain(
        'bake failed: the unpacked artifact: link /opt/app/y points outside the image',
      );
    },
    6 * 60_000,
  );

  it(
    'a relative chain made by the bake command',
    async () => {
      const builder = await bake(
        'bake-made-chain',
        await appArtifact({
          bake: 'mkdir -p a/b/c/d && ln -s ../../../.. a/b/c/d/l && ln -s a/b/c/d/l/../.. y',
        }),
      );
      expect(builder.exit).toBe(0);
      expect(builder.report?.status).toBe('failed');
      expect(builder.report?.logTail).toContain(
        'bake failed: after the bake command: link /opt/app/y points outside the image',
      );
    },
    6 * 60_000,
  );

  it(
    'an artifact that is not a gzip tarball, saying so',
    async () => {
      const builder = await bake('not-gzip', Buffer.from('{"start":"node server.js"}'));
      expect(builder.exit).toBe(0);
      expect(builder.report?.status).toBe('failed');
      expect(builder.report?.logTail).toContain('bake failed: the artifact is not a gzip tarball (.tgz)');
    },
    6 * 60_000,
  );
});
