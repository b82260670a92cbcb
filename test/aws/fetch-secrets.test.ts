import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FETCH_SECRETS_PY } from '../../aws/fleets/fetch-secrets-script.js';
import { SECRETS_SPEC_FILE, secretsFiles, secretsToFetch } from '../../aws/fleets/instance-secrets.js';
import { AwsSecretsStandIn, STAND_IN_ACCOUNT } from '../support/aws-secrets-stand-in.js';
import { readWithBash } from '../support/bash-environment-file.js';

/**
 * The program an instance runs before each start of the app (bakeshift-secrets.service), run here by this
 * machine's python3 against stand-ins for IMDSv2, SSM and Secrets Manager that check every SigV4 signature with
 * the SDK's own signer. The boot test runs it again under systemd, on Debian.
 */

const run = promisify(execFile);
const stand = new AwsSecretsStandIn('eu-west-1');
const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${STAND_IN_ACCOUNT}:secret:web/api-key-AbC123`;
const HOSTILE = 'p@ss"word $HOME `id` \\n\\\nENV\n\r\nline two\ttab é😀 $(id) $';
let dir = '';

beforeAll(async () => {
  await stand.start();
  dir = await mkdtemp(join(tmpdir(), 'fetch-secrets-'));
});
afterAll(async () => {
  await stand.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  stand.parameters.clear();
  stand.secrets.clear();
  stand.granted.clear();
  stand.calls.length = 0;
  stand.hasRole = true;
});

/** Writes the fetcher and its spec as the user data does, and runs it as the unit does. */
async function fetchSecrets(secrets: Record<string, string>) {
  const files = secretsFiles(secretsToFetch(secrets, stand.region));
  const script = join(dir, 'fetch-secrets.py');
  const spec = join(dir, 'secrets.json');
  await writeFile(script, FETCH_SECRETS_PY);
  await writeFile(spec, files[SECRETS_SPEC_FILE] ?? '');
  const out = join(dir, 'run', 'bakeshift', 'secrets.env');
  await rm(join(dir, 'run'), { recursive: true, force: true });
  const env = { PATH: process.env.PATH ?? '', ...stand.endpointVariables() };
  const result = await run('python3', ['-I', script, spec, out], { env, timeout: 30_000 }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
  return { ...result, out };
}

describe("fetch-secrets.py: an instance reads its environment's secrets with its own role", () => {
  it('reads SSM parameters (by name and ARN) and a Secrets Manager secret, signed, into a root-only file that reads back exactly', async () => {
    stand.parameters.set('/web/staging/db-password', HOSTILE);
    stand.parameters.set(stand.parameterArn('shared/token'), 'token-value');
    stand.secrets.set(SECRET_ARN, '{"key":"v\\u00e9"}\n');
    for (const arn of [
      stand.parameterArn('/web/staging/db-password'),
      stand.parameterArn('shared/token'),
      SECRET_ARN,
    ])
      stand.granted.add(arn);

    const { code, stderr, out } = await fetchSecrets({
      DB_PASSWORD: '/web/staging/db-password',
      SHARED_TOKEN: stand.parameterArn('shared/token'),
      API_KEY: SECRET_ARN,
    });

    expect({ code, stderr }).toEqual({
      code: 0,
      stderr: 'bakeshift-secrets: read DB_PASSWORD, SHARED_TOKEN, API_KEY\n',
    });
    expect(stand.calls.map((c) => c.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(Object.fromEntries(readWithBash(out, ['DB_PASSWORD', 'SHARED_TOKEN', 'API_KEY']))).toEqual({
      DB_PASSWORD: HOSTILE,
      SHARED_TOKEN: 'token-value',
      API_KEY: '{"key":"v\\u00e9"}\n',
    });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'run', 'bakeshift'))).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['a parameter the instance role was not granted', 'AccessDeniedException', false, 'value'],
    ['a parameter that does not exist', 'ParameterNotFound', true, undefined],
    ['a value with NUL, which no environment can carry', 'the value has U+0000 at character 2', true, 'a\0b'],
  ])(
    '%s: the app does not start, the reason names the variable, nothing is written',
    async (_, reason, grant, value) => {
      stand.parameters.set('/web/ok', 'fine');
      stand.granted.add(stand.parameterArn('/web/ok'));
      if (value !== undefined) stand.parameters.set('/web/db', value);
      if (grant) stand.granted.add(stand.parameterArn('/web/db'));
      const { code, stderr, out } = await fetchSecrets({ OK: '/web/ok', DB_PASSWORD: '/web/db' });
      expect(code).toBe(1);
      expect(stderr).toContain(`bakeshift-secrets: DB_PASSWORD (ssm /web/db): ${reason}`);
      expect(existsSync(out)).toBe(false);
    },
  );

  it('a binary secret, an instance without a role: refused with the reason', async () => {
    stand.secrets.set(SECRET_ARN, { binary: true });
    stand.granted.add(SECRET_ARN);
    const binary = await fetchSecrets({ API_KEY: SECRET_ARN });
    expect(binary.code).toBe(1);
    expect(binary.stderr).toContain(`API_KEY (secretsmanager ${SECRET_ARN}): a binary secret`);
    stand.hasRole = false;
    const roleless = await fetchSecrets({ API_KEY: SECRET_ARN });
    expect(roleless.code).toBe(1);
    expect(roleless.stderr).toContain('the instance role (is an instance profile attached?): HTTP 404');
  });

  it('the stand-in checks signatures: the SDK signing with the right key is served, with a wrong key refused', async () => {
    stand.parameters.set('/web/db', 'v');
    stand.granted.add(stand.parameterArn('/web/db'));
    const client = (secretAccessKey: string) =>
      new SSMClient({
        endpoint: stand.endpoint,
        region: stand.region,
        credentials: { ...stand.credentials, secretAccessKey },
      });
    const command = new GetParameterCommand({ Name: '/web/db', WithDecryption: true });
    expect((await client(stand.credentials.secretAccessKey).send(command)).Parameter?.Value).toBe('v');
    await expect(client('not-the-key').send(command)).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });
});
