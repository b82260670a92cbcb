import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../../local/load/load-generator.js';

/**
 * The README's "Deploy your own app", command by command, on an app made here (not examples/hello): init, up,
 * deploy, change, deploy again under load, rollback. Every step is the CLI a newcomer types.
 */
const CLI = fileURLToPath(new URL('../../bin/bakeshift.mjs', import.meta.url));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let work: string;
let app: string;
let home: string;
let up: ChildProcess;
let upOutput = '';

async function bakeshift(...args: string[]) {
  return run(process.execPath, [CLI, ...args, '--home', home], { env: { ...process.env } }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      out: `${e.stdout}${e.stderr}`,
    }),
  );
}

/** A small app of the kind a team would bring: package.json with a start script, answering JSON. */
async function writeApp(version: string) {
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'site', version, private: true, scripts: { start: 'node server.js' } }, null, 2),
  );
  await writeFile(
    join(app, 'server.js'),
    `const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.writeHead(200).end('ok');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '${version}' }));
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  );
}

async function liveVersion(): Promise<{ version?: string; url?: string }> {
  const { out } = await bakeshift('status', '--json');
  const status = JSON.parse(out) as { services: { live: { version: string } | null; url: string | null }[] };
  const [site] = status.services;
  return { ...(site?.live ? { version: site.live.version } : {}), ...(site?.url ? { url: site.url } : {}) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bakeshift-first-hour-'));
  app = join(work, 'site');
  home = join(work, '.bakeshift');
  await import('node:fs/promises').then((fs) => fs.mkdir(app));
  await writeApp('1.0.0');
});

afterAll(async () => {
  if (up && up.exitCode === null) {
    up.kill('SIGTERM');
    await new Promise((resolve) => up.once('exit', resolve));
  }
  await rm(work, { recursive: true, force: true });
}, 30_000);

describe('a newcomer deploys their own app from the README alone', () => {
  it('every command explains itself with --help, and an unknown option is refused by name', async () => {
    for (const command of ['init', 'up', 'deploy', 'status', 'history', 'logs', 'rollback', 'janitor']) {
      const help = await bakeshift(command, '--help');
      expect({ command, code: help.code }).toEqual({ command, code: 0 });
      expect(help.out).toContain(`bakeshift ${command}`);
      expect(help.out).toContain('Example: bakeshift');
    }
    const unknown = await bakeshift('deploy', 'site', app, '--enviroment', 'prod');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("Unknown option '--enviroment'");
  }, 60_000);

  it('init writes the manifest (start and health path found) and the configuration, and refuses to overwrite', async () => {
    const init = await bakeshift('init', app);
    expect(init.code).toBe(0);
    expect(init.out).toContain('next: `bakeshift up`');
    expect(JSON.parse(await readFile(join(app, 'bakeshift.json'), 'utf8'))).toEqual({
      start: 'npm start',
      healthPath: '/health',
      packages: ['nodejs22'],
    });
    expect(await readdir(join(home, 'services'))).toEqual(['site.json']);
    const again = await bakeshift('init', app);
    expect(again.code).toBe(2);
    expect(again.out).toContain('bakeshift.json exists: keep it, or pass --force');

    // A directory with nothing to start: init asks for the command, and writes nothing.
    const empty = join(work, 'empty');
    await import('node:fs/promises').then((fs) => fs.mkdir(empty));
    const unknown = await bakeshift('init', empty);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('say how it starts with --start "command"');
    expect(await readdir(empty)).toEqual([]);
  }, 30_000);

  it('deploy refuses, before storing anything, what is not configured or has no manifest, saying how to fix it', async () => {
    // A newcomer's terminal: the default log level, not the tests' SILENT.
    up = spawn(process.execPath, [CLI, 'up', '--home', home], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO' },
    });
    for (const stream of [up.stdout, up.stderr])
      stream?.on('data', (chunk: Buffer) => {
        upOutput += chunk.toString('utf8');
      });
    for (let i = 0; i < 100 && !(await readFile(join(home, 'api.json'), 'utf8').catch(() => '')); i++)
      await sleep(100);

    const unconfigured = await bakeshift('deploy', 'blog', app);
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.out).toContain('bakeshift init');
    const bare = join(work, 'bare');
    await import('node:fs/promises').then((fs) => fs.mkdir(bare));
    await writeFile(join(bare, 'server.js'), '');
    const noManifest = await bakeshift('deploy', 'site', bare);
    expect(noManifest.code).toBe(2);
    // The directory the newcomer gave, not the temporary tarball packed from it (removed again).
    expect(noManifest.out).toContain(`${bare}: bakeshift.json: missing at the artifact's root`);
    expect(noManifest.out).not.toContain('bakeshift-pack-');
    expect((await bakeshift('history', 'site', '--json')).out.trim()).toBe('[]');
  }, 30_000);

  it('deploy, change, deploy again under load with zero failed requests, then rollback', async () => {
    const first = await bakeshift('deploy', 'site', app);
    expect(first.code).toBe(0);
    const { url, version } = await liveVersion();
    expect(version).toBe('1.0.0'); // package.json's, not the directory's name
    // Where the app is: said by the deploying terminal and by `up` at the first deployment.
    expect(first.out).toContain(`live at ${url}`);
    expect(upOutput).toContain(`listening:\n  site/staging: ${url}`);

    const load = new LoadGenerator({
      url: url ?? '',
      connections: 50,
      maxDurationMs: 120_000,
      maxRequests: 2_000_000,
    });
    load.start();
    await writeApp('2.0.0');
    const second = await bakeshift('deploy', 'site', app);
    expect(second.code).toBe(0);
    expect((await liveVersion()).version).toBe('2.0.0');

    const rollback = await bakeshift('rollback', 'site');
    expect(rollback.code).toBe(0);
    for (let i = 0; i < 200 && (await liveVersion()).version !== '1.0.0'; i++) await sleep(250);
    expect((await liveVersion()).version).toBe('1.0.0');
    await sleep(1000);
    await load.stop();

    const failed = load.samples.filter((s) => !s.ok);
    expect(load.samples.length).toBeGreaterThan(1000);
    expect(failed.slice(0, 3)).toEqual([]);
    const answered = new Set(load.samples.map((s) => s.version));
    expect([...answered].sort()).toEqual(['1.0.0', '2.0.0']);
    expect(load.samples.at(-1)?.version).toBe('1.0.0');

    // `bakeshift up` talks to a person: its JSON logs (WARN and ERROR on stderr too) went to the log file.
    expect(upOutput.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    expect(upOutput).toContain('site/staging');
    expect(await readFile(join(home, 'logs', 'control-plane.jsonl'), 'utf8')).toContain('"level":"INFO"');
    // The rollback (a redeploy) is followed to its end, blue's warm window included.
  }, 240_000);

  it('Ctrl-C leaves the deployment running and says how to reach it; a version says what it is', async () => {
    // 2.0.0's very content was rolled back from: a new deployment of it under its version is refused.
    const again = await bakeshift('deploy', 'site', app);
    expect(again.code).toBe(2);
    expect(again.out).toMatch(
      /site\/staging 2\.0\.0: this artifact was deployed before \(site-staging-[0-9a-f]+/,
    );

    await writeApp('3.0.0');
    const deploying = spawn(process.execPath, [CLI, 'deploy', 'site', app, '--home', home], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    for (const stream of [deploying.stdout, deploying.stderr])
      stream?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
    for (let i = 0; i < 300 && !/deployment site-staging-[0-9a-f]+: site 3\.0\.0/.test(out); i++)
      await sleep(100);
    const deploymentId = /deployment (site-staging-[0-9a-f]+)/.exec(out)?.[1] ?? 'none';
    deploying.kill('SIGINT');
    const code = await new Promise((resolve) => deploying.once('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(out).toContain(`stopped following; deployment ${deploymentId} continues in the control plane.`);
    expect(out).toContain(`bakeshift follow ${deploymentId}`);
    expect(out).toContain('bakeshift rollback site --env staging');

    const followed = await bakeshift('follow', deploymentId);
    expect(followed.code).toBe(0);
    expect((await liveVersion()).version).toBe('3.0.0');
    const same = await bakeshift('deploy', 'site', app);
    expect(same).toEqual({
      code: 0,
      out: `site 3.0.0 is already live in staging (${deploymentId}), with this very content: nothing to deploy\n`,
    });
    await writeFile(join(app, 'server.js'), `${await readFile(join(app, 'server.js'), 'utf8')}// changed\n`);
    const changed = await bakeshift('deploy', 'site', app);
    expect(changed.code).toBe(2);
    expect(changed.out).toContain(
      `site/staging 3.0.0: this version was deployed before with other content (${deploymentId}, succeeded)`,
    );
    expect(changed.out).not.toContain('    at ');
  }, 180_000);
});
