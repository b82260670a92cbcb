import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderUserData } from '../../aws/baker/builder-user-data.js';
import { secretsToFetch } from '../../aws/fleets/instance-secrets.js';
import { instanceUserData } from '../../aws/fleets/instance-user-data.js';
import { whyNotCarried } from '../../core/config/environment-value.js';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { freePort } from '../../local/fleets/free-port.js';
import { AwsSecretsStandIn, STAND_IN_ACCOUNT } from '../support/aws-secrets-stand-in.js';
import { webConfig } from '../support/fake-world.js';
import { S3StandIn } from '../support/s3-stand-in.js';
import { BOOT_CACHE, baseRootfs, boot, copyRoot, listenerPid, seed } from './machine.js';

/**
 * An environment's variables and secrets as the app receives them from systemd 252 (Debian bookworm, booted
 * under systemd-nspawn with cloud-init running the real user data; Amazon Linux 2023 has systemd 252 too, but
 * is not what runs here). The app prints its environment; what it prints is compared with what was configured,
 * byte for byte, and with what the kernel holds (/proc/<pid>/environ). Secrets come from stand-ins for IMDSv2,
 * SSM and Secrets Manager (every SigV4 signature checked with the SDK's signer), reached through a drop-in this
 * test adds to the instance's disk pointing the fetcher's standard AWS endpoint variables at them.
 */

const run = promisify(execFile);
await mkdir(BOOT_CACHE, { recursive: true });
const work = await mkdtemp(join(BOOT_CACHE, 'run-environment-'));
const s3 = new S3StandIn();
const stand = new AwsSecretsStandIn('eu-west-1');
let client: S3Client;
let image = '';

/** An app that answers /health and prints its environment, every name and value base64 (exact bytes). */
const APP = `import base64, http.server, json, os
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in ('/health', '/env'):
            self.send_response(404)
            self.end_headers()
            return
        b64 = lambda b: base64.b64encode(b).decode()
        body = b'ok' if self.path == '/health' else json.dumps({b64(k): b64(v) for k, v in os.environb.items()}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((os.environ['HOST'], int(os.environ['PORT'])), Handler).serve_forever()
`;

beforeAll(async () => {
  const base = await baseRootfs();
  client = await s3.start();
  await stand.start();
  const dir = await mkdtemp(join(tmpdir(), 'boot-env-app-'));
  await writeFile(join(dir, 'app.py'), APP);
  await writeFile(
    join(dir, 'bakeshift.json'),
    JSON.stringify({ start: 'python3 app.py', healthPath: '/health' }),
  );
  await packDirectory(dir, `${dir}.tgz`);
  s3.objects.set('artifacts/env/app.tgz', await readFile(`${dir}.tgz`));
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}.tgz`, { force: true });
  const userData = builderUserData({
    artifactUrl: await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: 'artifacts', Key: 'env/app.tgz' }),
      {
        expiresIn: 900,
      },
    ),
    resultUrl: await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'env/result.json' }),
      {
        expiresIn: 900,
      },
    ),
    timeoutSeconds: 300,
  });
  const builder = await copyRoot(base, join(work, 'builder'));
  await seed(builder, 'i-builder-environment', Buffer.from(userData, 'base64').toString('utf8'));
  const machine = await boot(builder, 10 * 60_000);
  await machine.poweredOff;
  const report = JSON.parse(s3.objects.get('artifacts/env/result.json')?.toString() ?? '{}');
  if (report.status !== 'succeeded') throw new Error(`the bake failed: ${report.logTail}`);
  image = builder;
}, 20 * 60_000);
afterAll(async () => {
  await s3.stop();
  await stand.stop();
  if (!process.env.BAKESHIFT_BOOT_KEEP) await rm(work, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** What the app printed: its environment, decoded byte for byte. */
async function appEnvironment(port: number): Promise<Record<string, string>> {
  const answer = await get(`http://127.0.0.1:${port}/env`);
  const printed = JSON.parse(answer?.body ?? '{}') as Record<string, string>;
  const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  return Object.fromEntries(Object.entries(printed).map(([k, v]) => [text(k), text(v)]));
}

async function kernelEnvironment(pid: number): Promise<Record<string, string>> {
  const pairs = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

/** Boots an instance of the image with the user data for these variables and secrets (validated as config). */
async function launch(name: string, variables: Record<string, string>, secrets: Record<string, string> = {}) {
  const config = webConfig();
  const staging = { ...config.environments.staging, variables, secrets };
  const parsed = parseServiceConfig({ ...config, environments: { staging } }, 'services/web.json');
  const port = await freePort();
  const root = await copyRoot(image, join(work, `instance-${name}`));
  const dropIns = join(root, 'etc/systemd/system/bakeshift-secrets.service.d');
  await mkdir(dropIns, { recursive: true });
  const endpoints = Object.entries(stand.endpointVariables()).map(([k, v]) => `${k}=${v}`);
  await writeFile(join(dropIns, 'test-endpoints.conf'), `[Service]\nEnvironment=${endpoints.join(' ')}\n`);
  const userData = instanceUserData({
    variables: parsed.environments.staging?.variables ?? {},
    secrets: secretsToFetch(parsed.environments.staging?.secrets ?? {}, stand.region),
    port,
    drainSeconds: 5,
    logGroup: '/bakeshift/web/staging',
  });
  await seed(root, `i-environment-${name}`, Buffer.from(userData, 'base64').toString('utf8'));
  const machine = await boot(root, 5 * 60_000);
  return { machine, port, root };
}

const HOSTILE: Record<string, string> = {
  CERTIFICATE: `-----BEGIN CERTIFICATE-----\nMIIB\nENV\ntouch /tmp/bakeshift-escaped\ncat > /dev/null <<'ENV'\n-----END CERTIFICATE-----\n`,
  DOLLARS: `$HOME \${PATH} $(id) $$ $`,
  BACKTICKS: '`id` ``',
  BACKSLASHES: '\\ \\\\ \\n \\" end\\',
  QUOTES: `'single' "double" '"' "'"`,
  CR: 'a\rb\r\nc\r',
  SPACES: '  leading and trailing  \t',
  COMMENT: '# not a comment',
  SEMICOLON: '; not a comment either',
  EQUALS: 'a=b=c',
  EMPTY: '',
  NEWLINES: '\n\nmiddle\n\n',
  CONTINUATION: 'line \\\nnext',
  UNICODE: 'é ü 日本 😀 \u2028 \u00A0',
  // Format characters of real text (ADR 52): joiners in emoji and Persian, a soft hyphen, a direction mark.
  JOINERS: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467} می\u200Cخواهم co\u00ADoperate \u200F',
  LONG: 'x'.repeat(500),
};

describe('variables and secrets reach the app exactly, under systemd (Debian bookworm)', () => {
  it(
    'hostile values and a sample of arbitrary strings arrive byte for byte; no command in a value runs',
    async () => {
      const arbitrary = fc
        .oneof(
          fc.string({ unit: 'binary', maxLength: 24 }),
          fc.string({ unit: 'binary-ascii', maxLength: 24 }),
        )
        .filter((value) => whyNotCarried(value) === undefined);
      const sample = fc.sample(arbitrary, { seed: 24, numRuns: 48 });
      const variables = {
        ...HOSTILE,
        ...Object.fromEntries(sample.map((value, i) => [`ARBITRARY_${i}`, value])),
      };
      const instance = await launch('hostile', variables);
      try {
        expect(
          await until(
            async () => (await get(`http://127.0.0.1:${instance.port}/health`))?.status === 200,
            90_000,
          ),
        ).toBe(true);
        const printed = await appEnvironment(instance.port);
        const kernel = await kernelEnvironment((await listenerPid(instance.port)) ?? 0);
        for (const [name, value] of Object.entries(variables)) {
          expect({ name, printed: printed[name] }).toEqual({ name, printed: value });
          expect({ name, kernel: kernel[name] }).toEqual({ name, kernel: value });
        }
        expect(printed.HOST).toBe('0.0.0.0');
        expect(printed.PORT).toBe(String(instance.port));
        expect(existsSync(join(instance.root, 'tmp/bakeshift-escaped'))).toBe(false);
      } finally {
        instance.machine.shutdown();
        await instance.machine.poweredOff;
      }
    },
    5 * 60_000,
  );

  it(
    'secrets are read with the instance role before the app starts, root-only on /run, again at each start, and never written to disk',
    async () => {
      const password = 'p@ss"w $HOME `id` \\ ENV\n\r\n é😀';
      const arn = `arn:aws:secretsmanager:eu-west-1:${STAND_IN_ACCOUNT}:secret:web/api-key-AbC123`;
      stand.parameters.set('/web/staging/db-password', password);
      stand.secrets.set(arn, 'key-one');
      stand.granted.add(stand.parameterArn('/web/staging/db-password'));
      stand.granted.add(arn);
      const instance = await launch(
        'secrets',
        { GREETING: 'hi' },
        { DB_PASSWORD: '/web/staging/db-password', API_KEY: arn },
      );
      try {
        expect(
          await until(
            async () => (await get(`http://127.0.0.1:${instance.port}/health`))?.status === 200,
            90_000,
          ),
        ).toBe(true);
        expect(await appEnvironment(instance.port)).toMatchObject({
          GREETING: 'hi',
          DB_PASSWORD: password,
          API_KEY: 'key-one',
        });
        expect(stand.calls.filter((c) => c.outcome !== 'ok')).toEqual([]);
        const pid = (await listenerPid(instance.port)) ?? 0;
        const file = await stat(`/proc/${pid}/root/run/bakeshift/secrets.env`);
        expect({ mode: file.mode & 0o777, uid: file.uid }).toEqual({ mode: 0o600, uid: 0 });
        expect((await stat(`/proc/${pid}/root/run/bakeshift`)).mode & 0o777).toBe(0o700);

        // A rotated secret reaches the app at its next start (here: systemd restarting it after a crash).
        stand.secrets.set(arn, 'key-two');
        process.kill(pid, 'SIGKILL');
        expect(
          await until(
            async () =>
              (await appEnvironment(instance.port).catch(() => ({}) as Record<string, string>)).API_KEY ===
              'key-two',
            60_000,
          ),
        ).toBe(true);
      } finally {
        instance.machine.shutdown();
        await instance.machine.poweredOff;
      }
      const { stdout } = await run('grep', ['-rlF', 'key-one', 'etc', 'var', 'opt', 'root', 'tmp'], {
        cwd: instance.root,
      }).catch((error: { code: number; stdout: string }) => ({
        stdout: error.code === 1 ? '' : `grep failed: ${error.code}`,
      }));
      expect(stdout).toBe('');
    },
    5 * 60_000,
  );

  it(
    'a secret the role may not read keeps the app from starting, its log naming the variable and the reason, until it can be read',
    async () => {
      const instance = await launch('denied', {}, { DB_PASSWORD: '/web/staging/not-granted' });
      const log = join(instance.root, 'var/log/bakeshift/app.log');
      try {
        const logged = await until(
          async () =>
            (await readFile(log, 'utf8').catch(() => '')).includes('bakeshift-secrets: DB_PASSWORD'),
          90_000,
        );
        expect(logged).toBe(true);
        expect(await readFile(log, 'utf8')).toContain(
          'bakeshift-secrets: DB_PASSWORD (ssm /web/staging/not-granted): AccessDeniedException',
        );
        expect(await get(`http://127.0.0.1:${instance.port}/health`)).toBeUndefined();

        // Once the role may read it (or SSM is reachable again), the app starts by itself with the secret.
        stand.parameters.set('/web/staging/not-granted', 'granted-now');
        stand.granted.add(stand.parameterArn('/web/staging/not-granted'));
        expect(
          await until(
            async () => (await get(`http://127.0.0.1:${instance.port}/health`))?.status === 200,
            90_000,
          ),
        ).toBe(true);
        expect(await appEnvironment(instance.port)).toMatchObject({ DB_PASSWORD: 'granted-now' });
      } finally {
        instance.machine.shutdown();
        await instance.machine.poweredOff;
      }
    },
    5 * 60_000,
  );
});
