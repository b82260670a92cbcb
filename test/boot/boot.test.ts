import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderUserData } from '../../aws/baker/builder-user-data.js';
import { instanceUserData } from '../../aws/fleets/instance-user-data.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { freePort } from '../../local/fleets/free-port.js';
import { S3StandIn } from '../support/s3-stand-in.js';
import { BOOT_CACHE, baseRootfs, boot, copyRoot, listenerPid, seed } from './machine.js';

/**
 * The exact user data of the builder and of a fleet instance, run by cloud-init (NoCloud) under a real systemd
 * (systemd-nspawn), on Debian bookworm: not Amazon Linux, which cannot be booted here. The presigned URLs are
 * real SigV4 URLs, checked by the S3 stand-in. Times are printed: builder boot-to-report, instance
 * boot-to-healthy.
 */

const run = promisify(execFile);
const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
await mkdir(BOOT_CACHE, { recursive: true });
const work = await mkdtemp(join(BOOT_CACHE, 'run-'));
const s3 = new S3StandIn();
let client: S3Client;
let base = '';
let image = '';

beforeAll(async () => {
  base = await baseRootfs();
  client = await s3.start();
}, 20 * 60_000);
afterAll(async () => {
  await s3.stop();
  // BAKESHIFT_BOOT_KEEP=1 keeps the machines' disks for a look after a failure.
  if (!process.env.BAKESHIFT_BOOT_KEEP) await rm(work, { recursive: true, force: true });
});

/** The hello example, its manifest naming Debian's Node.js package (Amazon Linux 2023 names it nodejs22). */
async function helloArtifact(manifest: Record<string, unknown>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'boot-hello-'));
  await cp(new URL('../../examples/hello/app', import.meta.url).pathname, dir, { recursive: true });
  await writeFile(join(dir, 'release.json'), JSON.stringify({ version: '1.0.0' }));
  const original = JSON.parse(await readFile(join(dir, 'bakeshift.json'), 'utf8'));
  await writeFile(join(dir, 'bakeshift.json'), JSON.stringify({ ...original, ...manifest }));
  const file = `${dir}.tgz`;
  await packDirectory(dir, file);
  const bytes = await readFile(file);
  await rm(dir, { recursive: true, force: true });
  await rm(file, { force: true });
  return bytes;
}

/** Boots a builder from the base on its user data; resolves once it has powered itself off. */
async function bake(name: string, manifest: Record<string, unknown>) {
  const key = `web/staging/${name}.tgz`;
  s3.objects.set(`artifacts/${key}`, await helloArtifact(manifest));
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
    timeoutSeconds: 300,
  });
  const root = await copyRoot(base, join(work, `builder-${name}`));
  await seed(root, `i-builder-${name}`, decode(userData));
  const started = Date.now();
  const machine = await boot(root, 10 * 60_000);
  const exit = await machine.poweredOff;
  const seconds = (Date.now() - started) / 1000;
  const stored = s3.objects.get(`artifacts/${resultKey}`);
  const report = stored
    ? (JSON.parse(stored.toString('utf8')) as { status: string; logTail: string })
    : undefined;
  console.log(`builder ${name}: boot to report and power-off in ${seconds.toFixed(1)} s (${report?.status})`);
  if (report?.status !== 'succeeded') console.log(`builder ${name}'s log tail:\n${report?.logTail}`);
  if (name !== 'good') await rm(root, { recursive: true, force: true });
  return { root, exit, report, console: machine.console() };
}

async function get(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

/** Polls a URL until it answers 200, bounded. */
async function until200(
  url: string,
  timeoutMs: number,
): Promise<{ status: number; body: string } | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await get(url);
    if (answer?.status === 200) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/** Boots an instance from the image with the instance user data of the given environment. */
async function launch(
  name: string,
  variables: Record<string, string>,
  options: { lateBySeconds?: number } = {},
) {
  const port = await freePort();
  const root = await copyRoot(image, join(work, `instance-${name}`));
  let script = decode(
    instanceUserData({ variables, port, drainSeconds: 5, logGroup: '/bakeshift/web/staging' }),
  );
  // On EC2, cloud-final runs the user data well after the units enabled in the image have started.
  if (options.lateBySeconds)
    script = script.replace('#!/bin/bash\n', `#!/bin/bash\nsleep ${options.lateBySeconds}\n`);
  await seed(root, `i-instance-${name}`, script);
  const started = Date.now();
  const machine = await boot(root, 5 * 60_000);
  const healthy = await until200(`http://127.0.0.1:${port}/health`, 90_000);
  const seconds = (Date.now() - started) / 1000;
  console.log(`instance ${name}: boot to healthy in ${seconds.toFixed(1)} s`);
  return { machine, port, root, healthy };
}

describe('the builder, booted for real', () => {
  it(
    'downloads the artifact, installs its packages, bakes, installs the unit, reports and powers itself off',
    async () => {
      const builder = await bake('good', { packages: ['nodejs'] });
      expect(builder.exit).toBe(0);
      expect(builder.report).toMatchObject({ status: 'succeeded' });
      expect(builder.report?.logTail).toContain('nodejs');
      expect(builder.console).toMatch(/BAKESHIFT-REPORT [A-Za-z0-9+/=]+/);
      expect(s3.requests.filter((r) => r.status !== 200)).toEqual([]);
      image = await copyRoot(builder.root, join(work, 'image'));
      await rm(builder.root, { recursive: true, force: true });
    },
    12 * 60_000,
  );

  it('leaves nothing in the image that must not be there: cloud-init instance state, logs, the download', async () => {
    expect(image).not.toBe('');
    const exists = (path: string) =>
      lstat(join(image, path)).then(
        () => true,
        () => false,
      );
    expect(await exists('opt/app/server.js')).toBe(true);
    expect(await exists('usr/bin/node')).toBe(true);
    expect(await exists('etc/systemd/system/multi-user.target.wants/bakeshift-app.service')).toBe(true);
    for (const path of [
      'tmp/artifact.tgz',
      'var/log/bakeshift-bake.log',
      'var/lib/cloud/instances/i-builder-good',
      'var/log/cloud-init.log',
      'etc/bakeshift/app.env',
    ])
      expect({ path, exists: await exists(path) }).toEqual({ path, exists: false });
    expect(await readdir(join(image, 'var/log/journal'))).toEqual([]);
    expect(await readFile(join(image, 'etc/machine-id'), 'utf8')).toBe('');
  });

  it(
    'a failing bake command reports failed with its log tail, and powers off',
    async () => {
      const builder = await bake('bad-command', { packages: [], bake: 'echo compiling; exit 7' });
      expect(builder.exit).toBe(0);
      expect(builder.report?.status).toBe('failed');
      expect(builder.report?.logTail).toContain('bake failed: bake command: echo compiling; exit 7');
    },
    5 * 60_000,
  );

  it(
    'a package the base image does not have fails the bake with its name, and powers off',
    async () => {
      const builder = await bake('bad-package', { packages: ['bakeshift-no-such-package'] });
      expect(builder.exit).toBe(0);
      expect(builder.report?.status).toBe('failed');
      expect(builder.report?.logTail).toContain('bakeshift-no-such-package');
    },
    5 * 60_000,
  );
});

describe('an instance of the image, booted for real', () => {
  it(
    'starts the app unprivileged with the launch environment only, restarts it after a crash, and lets in-flight requests finish on shutdown',
    async () => {
      const instance = await launch('first', { GREETING: 'from the launch' });
      try {
        expect(instance.healthy?.status).toBe(200);
        const answer = await get(`http://127.0.0.1:${instance.port}/`);
        expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({
          version: '1.0.0',
          greeting: 'from the launch',
        });

        const pid = await listenerPid(instance.port);
        expect(pid).toBeDefined();
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        expect(Number(/^Uid:\s+(\d+)/m.exec(status)?.[1])).toBeGreaterThan(0);
        const environment = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
        expect(environment).toContain('GREETING=from the launch');
        expect(environment.some((e) => /RESULT_URL|X-Amz|BAKE=/.test(e))).toBe(false);

        process.kill(pid as number, 'SIGKILL');
        expect((await until200(`http://127.0.0.1:${instance.port}/health`, 30_000))?.status).toBe(200);
        expect(await listenerPid(instance.port)).not.toBe(pid);

        const inFlight = get(`http://127.0.0.1:${instance.port}/slow?ms=3000`, 20_000);
        await new Promise((resolve) => setTimeout(resolve, 500));
        instance.machine.shutdown();
        expect(await inFlight).toEqual({ status: 200, body: 'done\n' });
        expect(await instance.machine.poweredOff).toBe(0);
      } finally {
        instance.machine.kill();
      }
    },
    5 * 60_000,
  );

  it(
    'starts when the user data runs late, after systemd has started the units enabled in the image',
    async () => {
      const instance = await launch('late', { GREETING: 'late' }, { lateBySeconds: 3 });
      try {
        expect(instance.healthy?.status).toBe(200);
      } finally {
        instance.machine.shutdown();
        await instance.machine.poweredOff;
      }
      // A unit that needs the environment file fails at boot until the user data writes it, is restarted into
      // systemd's start limit (5 starts in 10 s), and a later start can be refused: none of that may happen.
      const { stdout } = await run('journalctl', [
        '-D',
        join(instance.root, 'var/log/journal'),
        '-u',
        'bakeshift-app.service',
        '--no-pager',
      ]);
      expect(stdout).toContain('Started bakeshift-app.service');
      expect(stdout).not.toMatch(
        /Failed to load environment files|start request repeated too quickly|Failed with result/i,
      );
    },
    5 * 60_000,
  );

  it(
    'a second instance of the same image serves its own environment',
    async () => {
      const instance = await launch('second', { GREETING: 'second environment' });
      try {
        const answer = await get(`http://127.0.0.1:${instance.port}/`);
        expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ greeting: 'second environment' });
      } finally {
        instance.machine.shutdown();
        await instance.machine.poweredOff;
      }
    },
    5 * 60_000,
  );
});
