import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builderUserData } from '../../aws/baker/builder-user-data.js';
import { instanceUserData } from '../../aws/fleets/instance-user-data.js';

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
    expect(script).toContain('"healthPath\\":\\"${HEALTH_PATH:-/health}');
    expect(script.trimEnd().endsWith('finish succeeded')).toBe(true);
    expect(script).not.toContain('aws s3');
  });
});

describe('instance user data', () => {
  it('writes the environment’s variables at launch (not baked) and starts the unit', () => {
    const script = decode(
      instanceUserData({
        variables: { GREETING: "it's live", DATABASE_URL: 'postgres://db/web' },
        port: 8080,
        drainSeconds: 60,
        logGroup: '/bakeshift/web/staging',
      }),
    );
    expect(bashSyntaxErrors(script)).toBe('');
    expect(script).toContain("GREETING='it'\"'\"'s live'");
    expect(script).toContain("PORT='8080'");
    expect(script).toContain('TimeoutStopSec=90');
    expect(script).toContain('"log_group_name": "/bakeshift/web/staging"');
    expect(script).toContain('systemctl restart bakeshift-app.service');
  });
});
