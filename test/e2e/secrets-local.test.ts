import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';

let home: string;
let controlPlane: ControlPlane | undefined;
afterAll(async () => {
  await controlPlane?.stop();
  await rm(home, { recursive: true, force: true });
});

const CERTIFICATE = `-----BEGIN CERTIFICATE-----\nMIIB\nENV\ntouch /tmp/x\n-----END CERTIFICATE-----\n`;
const PASSWORD = 'p@ss"w $HOME `id` \\ \r\n é😀';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hello/api-key-AbC123';

/** The environment an instance's app process was started with, as the kernel holds it. */
async function environmentOf(pid: number): Promise<Record<string, string>> {
  const pairs = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

describe('local mode: the same configuration of variables and secrets', () => {
  it('gives each instance its variables and the secrets of <home>/secrets.json, exactly; a missing secret fails the launch naming it, and blue stays', async () => {
    home = await mkdtemp(join(tmpdir(), 'bakeshift-secrets-'));
    await mkdir(join(home, 'services'));
    await writeHelloServiceConfig(join(home, 'services'), {
      keepBlueWarmSeconds: 0,
      drainSeconds: 1,
      variables: { TLS_CERT: CERTIFICATE },
      secrets: { DB_PASSWORD: '/hello/staging/db-password', API_KEY: SECRET_ARN },
    });
    const secretsFile = join(home, 'secrets.json');
    await writeFile(
      secretsFile,
      JSON.stringify({ '/hello/staging/db-password': PASSWORD, [SECRET_ARN]: 'k-1' }),
    );
    await chmod(secretsFile, 0o600);
    ({ controlPlane } = await ControlPlane.start({
      home,
      servicesDir: join(home, 'services'),
      stopGraceMs: 1000,
    }));
    const cp = controlPlane;
    const deploy = async (version: string) => {
      const artifactFile = await buildHelloArtifact(version, home);
      const { deploymentId } = await cp.deploy({
        service: 'hello',
        environment: 'staging',
        version,
        artifactFile,
      });
      return { deploymentId, outcome: await cp.execution(deploymentId)?.outcome };
    };

    const first = await deploy('1.0.0');
    expect(first.outcome?.status).toBe('SUCCEEDED');
    const live = await cp.store.getLiveRelease('hello', 'staging');
    const pids = cp.fleets.processIds(live?.fleetId ?? '');
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids)
      expect(await environmentOf(pid)).toMatchObject({
        TLS_CERT: CERTIFICATE,
        DB_PASSWORD: PASSWORD,
        API_KEY: 'k-1',
      });
    // Never in the image or the records: only in the processes' environment.
    const image = await cp.ports.baker.getImage(live?.imageId ?? '');
    expect(JSON.stringify(await cp.store.getDeployment(first.deploymentId))).not.toContain('k-1');
    expect(JSON.stringify(image)).not.toContain('k-1');

    await writeFile(secretsFile, JSON.stringify({ '/hello/staging/db-password': PASSWORD }));
    const second = await deploy('2.0.0');
    expect(second.outcome).toMatchObject({ status: 'FAILED', error: 'LaunchFailed' });
    expect(second.outcome?.cause).toContain(
      `${secretsFile}: no secret "${SECRET_ARN}" (the environment's secrets.API_KEY)`,
    );
    expect(await cp.store.getDeployment(second.deploymentId)).toMatchObject({ status: 'rolled_back' });
    expect((await cp.store.getLiveRelease('hello', 'staging'))?.version).toBe('1.0.0');

    await chmod(secretsFile, 0o644);
    const third = await deploy('3.0.0');
    expect(third.outcome?.cause).toContain(
      `${secretsFile}: readable or writable by others (mode 644); chmod 600 it`,
    );
  }, 120_000);
});
