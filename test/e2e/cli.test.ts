import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';

const CLI = fileURLToPath(new URL('../../bin/bakeshift.mjs', import.meta.url));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let home: string;
let controlPlane: ChildProcess;

/** Runs `bakeshift <args> --home <home> --json`; returns the exit code and the parsed last line. */
async function bakeshift(...args: string[]) {
  const result = await run(process.execPath, [CLI, ...args, '--home', home, '--json'], {
    env: { ...process.env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout || e.stderr }),
  );
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    json = last;
  }
  return { code: result.code, json };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-cli-'));
  await mkdir(join(home, 'services'));
  await writeHelloServiceConfig(join(home, 'services'));
  const config = JSON.parse(await readFile(join(home, 'services', 'hello.json'), 'utf8'));
  config.environments.prod = {
    ...config.environments.staging,
    approval: { required: true, approvers: ['release-manager'], timeoutSeconds: 120 },
  };
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(join(home, 'services', 'hello.json'), JSON.stringify(config)),
  );
  // Approvals are made as the name bound to this control plane's token, never as a name a command claims.
  controlPlane = spawn(process.execPath, [CLI, 'up', '--home', home, '--as', 'release-manager'], {
    stdio: 'ignore',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  for (let i = 0; i < 100 && !(await readFile(join(home, 'api.json'), 'utf8').catch(() => '')); i++)
    await sleep(100);
}, 30_000);

afterAll(async () => {
  controlPlane.kill('SIGTERM');
  await new Promise((resolve) => controlPlane.once('exit', resolve));
  await rm(home, { recursive: true, force: true });
});

describe('the bakeshift CLI against `bakeshift up`', () => {
  it('deploys an artifact, follows it to the end, and reports status, history and logs as JSON', async () => {
    const artifact = await buildHelloArtifact('1.0.0', home);
    const deployed = await bakeshift('deploy', 'hello', artifact, '--version', '1.0.0');
    expect(deployed).toMatchObject({ code: 0, json: { status: 'succeeded', version: '1.0.0' } });

    const status = (await bakeshift('status')).json as {
      services: { environment: string; live: { version: string } | null; instances: number }[];
    };
    expect(status.services.find((s) => s.environment === 'staging')).toMatchObject({
      live: { version: '1.0.0' },
      instances: 2,
    });

    const history = (await bakeshift('history', 'hello')).json as { version: string; status: string }[];
    expect(history.map((h) => [h.version, h.status])).toEqual([['1.0.0', 'succeeded']]);

    const logs = (await bakeshift('logs', 'hello')).json as { instanceId: string; message: string }[];
    expect(logs.some((l) => l.message.includes('hello 1.0.0 listening'))).toBe(true);
    expect(logs.every((l) => l.instanceId.startsWith('i-'))).toBe(true);

    const again = await bakeshift('deploy', 'hello', artifact, '--version', '1.0.0');
    expect(again.json).toMatchObject({ started: false });
  }, 60_000);

  it('replaces an instance that crashes, like an Auto Scaling group', async () => {
    const instanceRecords = async () => {
      const dir = join(home, 'instances');
      const files = await import('node:fs/promises').then((fs) => fs.readdir(dir));
      return Promise.all(
        files
          .filter((f) => f.endsWith('.json'))
          .map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { appPid?: number }),
      );
    };
    const before = await instanceRecords();
    const victim = before[0]?.appPid;
    if (!victim) throw new Error('no instance to crash');
    process.kill(victim, 'SIGKILL');
    let after = before;
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      after = await instanceRecords();
      if (
        after.length === before.length &&
        !after.some((r) => r.appPid === victim) &&
        after.every((r) => r.appPid)
      )
        break;
    }
    expect(after).toHaveLength(before.length);
    expect(after.map((r) => r.appPid)).not.toContain(victim);
    const logs = (await bakeshift('logs', 'hello', '--lines', '20')).json as {
      stream: string;
      message: string;
    }[];
    expect(logs.some((l) => l.stream === 'lifecycle' && l.message.includes('exited unexpectedly'))).toBe(
      true,
    );
  }, 30_000);

  it('waits for an approval, refuses a non-approver, and goes on when an approver approves', async () => {
    const artifact = await buildHelloArtifact('2.0.0', home);
    const started = (
      await bakeshift('deploy', 'hello', artifact, '--env', 'prod', '--version', '2.0.0', '--no-follow')
    ).json as {
      deploymentId: string;
    };
    // The intruder tries only once the approval is open, so its refusal is about who it is.
    for (let i = 0; i < 100; i++) {
      const events = (await run(process.execPath, [CLI, 'events', '--home', home, '--json'])).stdout;
      if (events.includes(`"approval"`) && events.includes(started.deploymentId)) break;
      await sleep(100);
    }
    expect(await bakeshift('approve', started.deploymentId, '--as', 'intruder')).toMatchObject({
      code: 2,
      json: expect.stringContaining('made as release-manager'),
    });
    const decision = await bakeshift('approve', started.deploymentId);
    expect(decision.json).toEqual({ outcome: 'approved' });
    expect((await bakeshift('approve', started.deploymentId)).code).toBe(2);
    for (let i = 0; i < 100; i++) {
      const history = (await bakeshift('history', 'hello', '--env', 'prod')).json as { status: string }[];
      if (history[0]?.status === 'succeeded') return;
      await sleep(200);
    }
    throw new Error('the approved deployment did not succeed');
    // Eight CLI starts or more (tsx each): on a loaded 2-core machine each can take several seconds.
  }, 120_000);

  it('lists the deployment events with `bakeshift events`', async () => {
    const result = await run(process.execPath, [CLI, 'events', '--home', home]);
    expect(result.stdout).toMatch(/ started hello\/staging 1\.0\.0 \(artifact by /);
    expect(result.stdout).toMatch(/ succeeded hello\/staging 1\.0\.0/);
  });

  it('shows history with image, who approved and per-phase durations; refuses a rollback with nothing to go back to', async () => {
    const history = await run(process.execPath, [CLI, 'history', 'hello', '--env', 'prod', '--home', home]);
    expect(history.stdout).toMatch(
      /2\.0\.0 succeeded \(artifact by release-manager, approved by release-manager \(name bound at up\)\) image img-/,
    );
    expect(history.stdout).toMatch(/prepare \d+\.\ds, bake \d+\.\ds, launch/);
    const refused = await bakeshift('rollback', 'hello', '--env', 'staging');
    expect(refused).toMatchObject({
      code: 2,
      json: 'bakeshift: hello/staging has no earlier release to roll back to',
    });
  });

  it('promotes the exact image live in staging to prod, through prod’s approval', async () => {
    const staging = (
      (await bakeshift('status')).json as {
        services: { environment: string; live: { imageId: string } | null }[];
      }
    ).services.find((s) => s.environment === 'staging');
    const promoted = (await bakeshift('promote', 'hello', '--from', 'staging', '--to', 'prod')).json as {
      deploymentId: string;
      imageId: string;
    };
    expect(promoted.imageId).toBe(staging?.live?.imageId);
    let decision = await bakeshift('approve', promoted.deploymentId);
    for (let i = 0; i < 100 && decision.code !== 0; i++) {
      await sleep(100);
      decision = await bakeshift('approve', promoted.deploymentId);
    }
    for (let i = 0; i < 100; i++) {
      const status = (await bakeshift('status')).json as {
        services: { environment: string; live: { imageId: string; version: string } | null }[];
      };
      const prod = status.services.find((s) => s.environment === 'prod');
      if (prod?.live?.imageId === promoted.imageId) return;
      await sleep(200);
    }
    throw new Error('prod did not get the promoted image');
  }, 60_000);
});
