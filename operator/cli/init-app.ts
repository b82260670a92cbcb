import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { MANIFEST_FILE } from '../../core/config/artifact-manifest.js';
import { Refused } from '../../core/errors.js';
import { freePort } from '../../local/fleets/free-port.js';

export interface InitOptions {
  dir: string;
  servicesDir: string;
  start?: string;
  healthPath?: string;
  service?: string;
  force: boolean;
}

export interface InitResult {
  service: string;
  manifestFile: string;
  configFile: string;
  manifest: Record<string, unknown>;
  /** What was guessed and how, for the person to check. */
  notes: string[];
}

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const HEALTH_PROBE_MS = 10_000;

/**
 * `bakeshift init`: writes the app's bakeshift.json (its start command and health path, found where they can
 * be: package.json's start script or main file; a `GET /health` or `/` answering 200 when the app is started
 * once on a free port) and its service configuration (safe defaults, one environment, a second one commented).
 * Refuses to overwrite either without `force`.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the start command and health path are each found one of several ways, in a stated order
export async function initApp(options: InitOptions): Promise<InitResult> {
  const dir = resolve(options.dir);
  const pkg = await readFile(join(dir, 'package.json'), 'utf8').then(
    (text) => JSON.parse(text) as PackageJson,
    () => undefined,
  );
  const notes: string[] = [];
  const start = options.start ?? (await detectStart(dir, pkg));
  if (!start)
    throw new Refused(
      `${dir}: no app bakeshift recognises (no package.json start script or main, no server.js or index.js): say how it starts with --start "command"`,
    );
  if (!options.start)
    notes.push(
      `start: \`${start}\` (from ${pkg?.scripts?.start ? "package.json's start script" : 'the main file'})`,
    );
  const service = options.service ?? nameOf(pkg?.name ?? basename(dir));
  const manifestFile = join(dir, MANIFEST_FILE);
  const configFile = join(resolve(options.servicesDir), `${service}.json`);
  for (const file of [manifestFile, configFile])
    if (!options.force && (await exists(file)))
      throw new Refused(`${file} exists: keep it, or pass --force to replace it`);

  let healthPath = options.healthPath;
  if (!healthPath) {
    healthPath = await probeHealthPath(dir, start);
    notes.push(
      healthPath
        ? `healthPath: ${healthPath} (it answered 200 when the app was started once)`
        : 'healthPath: /health (assumed: the app did not answer 200 on /health or / within 10 s; set --health-path)',
    );
    healthPath ??= '/health';
  }
  const bake = await bakeCommandOf(dir, pkg);
  const runtime = await runtimeOf(dir, start);
  const manifest = {
    start,
    healthPath,
    // package.json's version is the release's when it has one; else this one, to be raised for each release.
    ...(pkg?.version ? {} : { version: '0.1.0' }),
    ...(bake ? { bake } : {}),
    // Amazon Linux 2023 carries no Node.js: the image installs it. Locally, this machine's Node serves.
    ...(/\b(node|npm|npx)\b/.test(`${start} ${bake ?? ''}`) ? { packages: ['nodejs22'] } : {}),
  };
  if (runtime === 'python' && (await exists(join(dir, 'requirements.txt'))))
    notes.push(
      'requirements.txt: not installed by a bake command yet; add one to bakeshift.json, e.g. "bake": "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt", and start with .venv/bin/python3',
    );
  if (!pkg?.version)
    notes.push('version: 0.1.0 (in bakeshift.json: raise it for each release, or pass --version to deploy)');
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  await mkdir(resolve(options.servicesDir), { recursive: true });
  await writeFile(configFile, serviceConfigText(service, runtime));
  return { service, manifestFile, configFile, manifest, notes };
}

async function detectStart(dir: string, pkg: PackageJson | undefined): Promise<string | undefined> {
  if (pkg?.scripts?.start) return 'npm start';
  if (pkg?.main && (await exists(join(dir, pkg.main)))) return `node ${pkg.main}`;
  for (const file of ['server.js', 'index.js', 'app.js', 'server.mjs', 'index.mjs'])
    if (await exists(join(dir, file))) return `node ${file}`;
  for (const file of ['app.py', 'main.py', 'server.py'])
    if (await exists(join(dir, file))) return `python3 ${file}`;
  return undefined;
}

/** The app's runtime, from how it starts or what it carries: the base image it is baked on. */
async function runtimeOf(dir: string, start: string): Promise<'node' | 'python'> {
  if (/\bpython[0-9.]*\b|\b(gunicorn|uvicorn|flask)\b/.test(start)) return 'python';
  if (/\b(node|npm|npx)\b/.test(start)) return 'node';
  for (const file of ['requirements.txt', 'pyproject.toml'])
    if (await exists(join(dir, file))) return 'python';
  return 'node';
}

/** How the image gets the app's dependencies: npm's lock file or dependencies. */
async function bakeCommandOf(dir: string, pkg: PackageJson | undefined): Promise<string | undefined> {
  if (await exists(join(dir, 'package-lock.json'))) return 'npm ci --omit=dev';
  if (Object.keys(pkg?.dependencies ?? {}).length > 0) return 'npm install --omit=dev';
  return undefined;
}

/** A service name bakeshift accepts: lower-case letters, digits and dashes. */
function nameOf(raw: string): string {
  return (
    raw
      .replace(/^@[^/]+\//, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'app'
  );
}

/** Starts the app once on a free port (bounded) and asks /health, then /: the first that answers 200. */
async function probeHealthPath(dir: string, start: string): Promise<string | undefined> {
  const port = await freePort();
  const child: ChildProcess = spawn('sh', ['-c', start], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
  });
  const deadline = Date.now() + HEALTH_PROBE_MS;
  try {
    while (Date.now() < deadline && child.exitCode === null) {
      for (const path of ['/health', '/']) {
        const status = await fetch(`http://127.0.0.1:${port}${path}`, {
          signal: AbortSignal.timeout(1000),
        }).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return path;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
  } finally {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }
}

/** Safe defaults: two instances, checks every 2 s, blue kept warm 30 s; a guarded second environment, commented. */
function serviceConfigText(service: string, runtime: 'node' | 'python'): string {
  return `{
  "service": "${service}",
  "bake": { "baseImage": "${runtime}", "timeoutSeconds": 600 },
  "environments": {
    "staging": {
      "capacity": { "min": 2, "desired": 2, "max": 4 },
      "variables": {},
      "healthCheck": { "intervalSeconds": 2, "timeoutSeconds": 1, "healthyThreshold": 2, "unhealthyThreshold": 2, "deadlineSeconds": 60 },
      "keepBlueWarmSeconds": 30,
      "drainSeconds": 5
    }
    // A second environment, reached with \`bakeshift promote ${service} --from staging --to prod\`:
    // ,"prod": {
    //   "capacity": { "min": 2, "desired": 3, "max": 6 },
    //   "approval": { "required": true, "approvers": ["${process.env.USER ?? 'you'}"], "timeoutSeconds": 3600 },
    //   "traffic": { "strategy": "weighted", "steps": [{ "percent": 10, "holdSeconds": 60 }, { "percent": 100, "holdSeconds": 0 }] }
    // }
  }
}
`;
}
