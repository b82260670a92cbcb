import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builderUserData } from '../../aws/baker/builder-user-data.js';
import { FETCH_SECRETS_PY } from '../../aws/fleets/fetch-secrets-script.js';
import { SECRETS_SPEC_FILE, secretsToFetch } from '../../aws/fleets/instance-secrets.js';
import { cloudWatchAgentConfig, instanceUserData } from '../../aws/fleets/instance-user-data.js';
import { UserDataSandbox } from '../support/user-data-sandbox.js';

const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
const bashSyntaxErrors = (script: string) => {
  try {
    execFileSync('bash', ['-n'], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
    return '';
  } catch (error) {
    return String((error as { stderr: Buffer }).stderr);
  }
};

describe('builder user data', () => {
  const script = decode(
    builderUserData({
      artifactUrl: "https://bucket.s3.amazonaws.com/web/1.0.0.tgz?X-Amz-Signature=abc&x='quoted'",
      resultUrl: 'https://bucket.s3.amazonaws.com/bake-results/bake-1.json?X-Amz-Signature=def',
      timeoutSeconds: 900,
    }),
  );

  it('is valid bash, within the 16 KB user-data limit', () => {
    expect(bashSyntaxErrors(script)).toBe('');
    expect(Buffer.byteLength(script)).toBeLessThan(16 * 1024);
  });

  it('downloads only through the presigned URL, refuses unsafe entries, limits the bake command, reports and powers off', () => {
    expect(script).toContain(
      "curl -sSf --retry 5 -o /tmp/artifact.tgz 'https://bucket.s3.amazonaws.com/web/1.0.0.tgz?X-Amz-Signature=abc&x='\"'\"'quoted'\"'\"''",
    );
    expect(script).toContain("grep -Eq '^/|(^|/)\\.\\.(/|$)'");
    expect(script).toContain('timeout 900 sh -c "$BAKE"');
    expect(script).toContain('ConditionPathExists=/etc/bakeshift/app.env');
    expect(script).toContain("cat > /etc/systemd/system/bakeshift-app.service <<'UNIT'");
    expect(script.trimEnd().endsWith('finish succeeded')).toBe(true);
    expect(script).not.toContain('aws s3');
  });
});

describe('instance user data', () => {
  const sandbox = new UserDataSandbox();
  beforeAll(() => sandbox.start());
  afterAll(() => sandbox.stop());

  it('writes the environment’s variables at launch (not baked), points the agent at the log group and starts the unit', async () => {
    const script = decode(
      instanceUserData({
        variables: { GREETING: "it's live", DATABASE_URL: 'postgres://db/web' },
        port: 8080,
        drainSeconds: 60,
        logGroup: '/bakeshift/web/staging',
      }),
    );
    expect(bashSyntaxErrors(script)).toBe('');
    const run = await sandbox.run(script, ['GREETING', 'DATABASE_URL', 'PORT', 'HOST'], { agent: true });
    expect(run.exitCode).toBe(0);
    expect(Object.fromEntries(run.parsed)).toEqual({
      GREETING: "it's live",
      DATABASE_URL: 'postgres://db/web',
      PORT: '8080',
      HOST: '0.0.0.0',
    });
    expect(run.files.get('/etc/systemd/system/bakeshift-app.service.d/stop.conf')?.toString()).toBe(
      '[Service]\nTimeoutStopSec=90\n',
    );
    const agentConfig = run.files.get('/opt/aws/amazon-cloudwatch-agent/etc/bakeshift.json');
    expect(JSON.parse(agentConfig?.toString() ?? '{}')).toEqual(
      cloudWatchAgentConfig('/bakeshift/web/staging'),
    );
    expect(run.systemctl).toEqual([
      '-a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/bakeshift.json',
      'daemon-reload',
      'restart bakeshift-app.service',
    ]);
  });

  it('with secrets: the fetcher, its spec (references only, as data), its unit and the app drop-in are files, never script text', async () => {
    const secrets = secretsToFetch(
      {
        DB_PASSWORD: '/web/staging/db-password',
        API_KEY: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:web/api-key-AbC123',
      },
      'eu-west-1',
    );
    const script = decode(
      instanceUserData({
        variables: {},
        secrets,
        port: 8080,
        drainSeconds: 60,
        logGroup: '/bakeshift/web/staging',
      }),
    );
    expect(script).not.toContain('db-password');
    expect(script).not.toContain('secretsmanager');
    const run = await sandbox.run(script, []);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.files.get(SECRETS_SPEC_FILE)?.toString() ?? '{}')).toEqual({
      secrets: [
        {
          name: 'DB_PASSWORD',
          service: 'ssm',
          id: '/web/staging/db-password',
          region: 'eu-west-1',
          endpoint: 'https://ssm.eu-west-1.amazonaws.com',
        },
        {
          name: 'API_KEY',
          service: 'secretsmanager',
          id: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:web/api-key-AbC123',
          region: 'us-east-1',
          endpoint: 'https://secretsmanager.us-east-1.amazonaws.com',
        },
      ],
    });
    expect(run.files.get('/etc/bakeshift/fetch-secrets.py')?.toString()).toBe(FETCH_SECRETS_PY);
    expect(run.files.get('/etc/systemd/system/bakeshift-app.service.d/secrets.conf')?.toString()).toContain(
      'Wants=bakeshift-secrets.service\nAfter=bakeshift-secrets.service\nStartLimitIntervalSec=0\n[Service]\nEnvironmentFile=/run/bakeshift/secrets.env\n',
    );
    expect(run.files.get('/etc/systemd/system/bakeshift-secrets.service')?.toString()).toContain(
      'ExecStart=/usr/bin/python3 -I /etc/bakeshift/fetch-secrets.py /etc/bakeshift/secrets.json /run/bakeshift/secrets.env',
    );
  });
});
