import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packDirectory } from '../../local/artifacts/pack-directory.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { LocalOperations } from '../../local/control-plane/local-operations.js';

/**
 * A green that cannot become healthy says why in its failure's cause, as soon as that is known: an app that
 * exits at start fails within seconds (not after the 60 s deadline) with its exit code and its error output; a
 * health path the app does not have names the path, the status expected and received, and the body.
 */
let home: string;
let controlPlane: ControlPlane;

async function appArtifact(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(home, 'apps', name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  const artifact = join(home, `${name}.tgz`);
  await packDirectory(dir, artifact);
  return artifact;
}

async function deploy(version: string, artifactFile: string) {
  const started = Date.now();
  const { deploymentId } = await controlPlane.deploy({
    service: 'site',
    environment: 'staging',
    version,
    artifactFile,
  });
  const outcome = await controlPlane.execution(deploymentId)?.outcome;
  const record = await controlPlane.store.getDeployment(deploymentId);
  return { outcome, record, seconds: (Date.now() - started) / 1000 };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-why-'));
  await mkdir(join(home, 'services'));
  // `bakeshift init`'s defaults: a 60 s health deadline.
  await writeFile(
    join(home, 'services', 'site.json'),
    JSON.stringify({
      service: 'site',
      bake: { baseImage: 'node', timeoutSeconds: 120 },
      environments: {
        staging: {
          capacity: { min: 2, desired: 2, max: 4 },
          healthCheck: { intervalSeconds: 2, timeoutSeconds: 1, deadlineSeconds: 60 },
          keepBlueWarmSeconds: 1,
          drainSeconds: 1,
        },
      },
    }),
  );
  ({ controlPlane } = await ControlPlane.start({
    home,
    servicesDir: join(home, 'services'),
    stopGraceMs: 500,
    janitorAfterEachDeployment: false,
  }));
});

afterAll(async () => {
  await controlPlane?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('a green that cannot become healthy says why', () => {
  it('an app that exits at start fails AwaitGreenHealthy within 10 s, with its exit code and error output', async () => {
    const artifact = await appArtifact('crashing', {
      'bakeshift.json': JSON.stringify({ start: 'node ap.js', healthPath: '/health' }),
      'app.js': '',
    });
    const { outcome, record, seconds } = await deploy('1.0.0', artifact);
    expect(outcome?.status).toBe('FAILED');
    expect(seconds).toBeLessThan(10);
    expect(record?.failure).toMatchObject({ step: 'AwaitGreenHealthy', error: 'HealthCheckFailed' });
    const cause = record?.failure?.cause ?? '';
    expect(cause).toContain('green cannot become healthy: its instances keep exiting');
    expect(cause).toMatch(/i-[0-9a-f]+ exited \(exit code 1\)/);
    expect(cause).toContain("Cannot find module '");
    expect(cause).toContain('ap.js');

    // `bakeshift logs --deployment <id> --stream stderr`: that deployment's instances' error output only.
    const logs = await new LocalOperations(controlPlane).logs({
      deploymentId: record?.deploymentId ?? '',
      environment: 'staging',
      stream: 'stderr',
      lines: 50,
    });
    expect(logs.length).toBeGreaterThan(0);
    expect(new Set(logs.map((l) => l.stream))).toEqual(new Set(['stderr']));
    expect(logs.some((l) => l.message.includes("Cannot find module '"))).toBe(true);
  }, 30_000);

  it('a health path the app does not have names the path, the status expected and received, and the body', async () => {
    const artifact = await appArtifact('no-health-route', {
      'bakeshift.json': JSON.stringify({ start: 'node server.js', healthPath: '/healthz' }),
      'server.js': `require('node:http')
  .createServer((req, res) => res.writeHead(req.url === '/' ? 200 : 404).end(req.url === '/' ? 'ok' : 'Cannot GET ' + req.url))
  .listen(Number(process.env.PORT), process.env.HOST);`,
    });
    const config = join(home, 'services', 'site.json');
    const { readFile } = await import('node:fs/promises');
    const raw = JSON.parse(await readFile(config, 'utf8'));
    raw.environments.staging.healthCheck.deadlineSeconds = 10;
    await writeFile(config, JSON.stringify(raw));
    const { outcome, record } = await deploy('2.0.0', artifact);
    expect(outcome?.status).toBe('FAILED');
    const cause = record?.failure?.cause ?? '';
    expect(cause).toContain('green not healthy within 10s');
    expect(cause).toMatch(
      /health check: GET \/healthz on i-[0-9a-f]+, expected 200, received 404: "Cannot GET \/healthz"/,
    );
  }, 40_000);
});

describe('a mistyped service file breaks only its own service', () => {
  it('status shows the others and says which file and field; deploy names the field, and suggests no init for a file that exists', async () => {
    await writeFile(
      join(home, 'services', 'blog.json'),
      JSON.stringify({
        service: 'blog',
        bake: { baseImage: 'node' },
        environments: { staging: { capacity: { min: 1, desired: 1, max: 1 }, healthcheck: {} } },
      }),
    );
    const status = await new LocalOperations(controlPlane).status();
    expect(status.services.map((s) => `${s.service}/${s.environment}`)).toEqual(['site/staging']);
    expect(status.invalidConfigs).toEqual([
      {
        service: 'blog',
        error: `${join(home, 'services', 'blog.json')}: environments.staging.healthcheck: unknown field (did you mean "healthCheck"?)`,
      },
    ]);
    const refused = await controlPlane
      .deploy({ service: 'blog', environment: 'staging', version: '1', artifactFile: join(home, 'x.tgz') })
      .catch((error: Error) => error.message);
    expect(refused).toContain(
      'environments.staging.healthcheck: unknown field (did you mean "healthCheck"?)',
    );
    expect(refused).not.toContain('bakeshift init');
  });
});
