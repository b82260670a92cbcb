import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MANIFEST_CHECK } from '../../aws/baker/builder-manifest-check.js';
import { APP_UNIT, builderUserData, START_FILE } from '../../aws/baker/builder-user-data.js';
import { ArtifactManifest } from '../../core/config/artifact-manifest.js';
import { craftTarball } from '../support/craft-tarball.js';
import { UserDataSandbox } from '../support/user-data-sandbox.js';

/**
 * The builder's user data, run whole through the real bash in the sandbox, on artifacts whose bakeshift.json
 * holds hostile values (anyone's CI may upload an artifact: the CLI's checks may never have run). Downloads,
 * uploads, package managers and power-off are stand-ins that record what they were asked.
 */
// A whole bake is a few seconds of Python and tar, many more on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });
const UNIT_FILE = '/etc/systemd/system/bakeshift-app.service';
const record = (name: string) => `printf '[%s]' "$@" >> "$RUN/out/${name}"; echo >> "$RUN/out/${name}"`;
const STAND_INS: Record<string, string> = {
  curl: `out= body=
while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift ;; --data-binary) body=$2; shift ;; esac; shift; done
if [ -n "$out" ]; then cp "$RUN/artifact.tgz" "$out"; else printf '%s' "$body" > "$RUN/out/report"; fi`,
  'apt-get': record('apt-get'),
  useradd: 'exit 0',
  'systemd-run': record('systemd-run'),
  shutdown: record('shutdown'),
  'cloud-init': 'exit 0',
  journalctl: 'exit 0',
};
const script = Buffer.from(
  builderUserData({ artifactUrl: 'https://a/x.tgz', resultUrl: 'https://a/r.json', timeoutSeconds: 60 }),
  'base64',
).toString('utf8');

const sandbox = new UserDataSandbox();
let work: string;
beforeAll(async () => {
  await sandbox.start();
  work = await mkdtemp(join(tmpdir(), 'builder-manifest-'));
});
afterAll(async () => {
  await sandbox.stop();
  await rm(work, { recursive: true, force: true });
});

let artifacts = 0;
async function bake(manifest: unknown, standIns: Record<string, string> = {}) {
  artifacts += 1;
  const file = join(work, `artifact-${artifacts}.tgz`);
  await craftTarball(file, [{ path: 'bakeshift.json', body: JSON.stringify(manifest) }]);
  const run = await sandbox.run(script, [], {
    standIns: { ...STAND_INS, ...standIns },
    inputs: { 'artifact.tgz': await readFile(file) },
    timeoutMs: 60_000,
  });
  const text = (path: string) => run.files.get(path)?.toString('utf8');
  const report = run.outputs.get('report')?.toString('utf8');
  const onConsole = /BAKESHIFT-REPORT (\S+)/.exec(run.console)?.[1];
  return {
    ...run,
    unit: text(UNIT_FILE),
    start: run.files.get(START_FILE),
    report: report === undefined ? undefined : (JSON.parse(report) as Record<string, string>),
    consoleReport: onConsole && JSON.parse(Buffer.from(onConsole, 'base64').toString('utf8')),
    calls: (name: string) => run.outputs.get(name)?.toString('utf8').split('\n').filter(Boolean) ?? [],
  };
}

describe("the manifest's start command is data, never unit text", () => {
  it.each([
    ['a newline and a directive', 'node server.js\nExecStartPre=+/bin/touch /pwned'],
    ['a systemd specifier', 'node server.js --home %h'],
    ["systemd's variable expansion", 'node server.js $HOME $' + '{HOME}'],
    ['quotes', `node -e "console.log('x')" "`],
    ['backslashes', 'printf \\\\n\\"\\'],
  ])('%s: the unit is the static text, the start file holds the command exactly', async (_, start) => {
    const baked = await bake({ start });
    expect(baked.report).toMatchObject({ status: 'succeeded' });
    expect(baked.unit).toBe(`${APP_UNIT}\n`);
    expect(baked.start?.toString('utf8')).toBe(start);
    expect(baked.calls('systemd-run').join('\n')).toContain('systemctl poweroff');
  });

  it('over arbitrary start strings, byte for byte', async () => {
    const unit = fc.oneof(
      fc.constantFrom('\n', '%', '$', '{', '"', "'", '\\', '`', ' ', '\0'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit, minLength: 1, maxLength: 40 }), async (start) => {
        const baked = await bake({ start });
        expect(baked.unit).toBe(`${APP_UNIT}\n`);
        expect(baked.start?.equals(Buffer.from(start))).toBe(true);
      }),
      { numRuns: 8 },
    );
  }, 600_000);

  it("the unit's ExecStart runs the file as `sh -c` runs the command (systemd's $$ read as $)", async () => {
    const start = `printf '%s|' "$0" "a b" 'c"d' \\\\ && echo "$((1 + 2))"`;
    const file = join(work, 'start');
    await writeFile(file, start);
    const line = /^ExecStart=\/bin\/sh -c '(.*)'$/m.exec(APP_UNIT)?.[1] ?? '';
    const command = line.replaceAll('$$', '$').replace(START_FILE, file);
    const viaUnit = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    expect(viaUnit).toBe(execFileSync('sh', ['-c', start], { encoding: 'utf8' }));
    expect(viaUnit).toBe('sh|a b|c"d|\\|3\n');
  });
});

describe("the manifest is checked on the builder with the CLI's rules", () => {
  it.each<[string, unknown, string]>([
    [
      'a glob as a package',
      { start: 'x', packages: ['*'] },
      'bakeshift.json: packages.0: must be a package name',
    ],
    ['an apt option', { start: 'x', packages: ['nodejs', '-o x'] }, 'packages.1: must be a package name'],
    ['a dnf option', { start: 'x', packages: ['--setopt=a'] }, 'packages.0: must be a package name'],
    ['51 packages', { start: 'x', packages: Array(51).fill('a') }, 'bakeshift.json: packages: at most 50'],
    ['no start', { packages: [] }, 'bakeshift.json: start: required'],
    ['a start that is no string', { start: ['node'] }, 'bakeshift.json: start: must be a string'],
    ['a health path without "/"', { start: 'x', healthPath: 'health' }, 'healthPath: must start with "/"'],
    ['an unknown field', { start: 'x', strat: 'y' }, 'bakeshift.json: (root): unrecognized key "strat"'],
  ])('refuses %s, naming the field, before installing anything', async (_, manifest, message) => {
    const baked = await bake(manifest);
    expect(baked.report?.status).toBe('failed');
    expect(baked.report?.logTail).toContain(message);
    expect(baked.calls('apt-get')).toEqual([]);
    expect(baked.unit).toBeUndefined();
  });

  it('passes the packages as arguments after `--` (apt-get, and dnf where the image has it)', async () => {
    const manifest = { start: 'x', packages: ['nodejs22', 'libstdc++6', 'python3.11'] };
    const apt = await bake(manifest);
    expect(apt.calls('apt-get')).toEqual([
      '[update]',
      '[install][-y][--no-install-recommends][--][nodejs22][libstdc++6][python3.11]',
    ]);
    const dnf = await bake(manifest, { dnf: record('dnf') });
    expect(dnf.calls('dnf')).toEqual([
      '[install][-y][--][nodejs22][libstdc++6][python3.11][amazon-cloudwatch-agent]',
    ]);
  });
});

describe("the builder's report is JSON made by a JSON library", () => {
  it.each(['/he"alth', '/back\\slash\\', '/quote"}, "status": "x'])(
    'a health path %j reaches the report (S3 and console) exactly',
    async (healthPath) => {
      const baked = await bake({ start: 'x', healthPath });
      expect(baked.report).toEqual({ status: 'succeeded', healthPath, logTail: expect.any(String) });
      expect(baked.consoleReport).toEqual(baked.report);
    },
  );
});

describe("the builder's manifest check agrees with the CLI's schema", () => {
  it('accepts exactly the manifests ArtifactManifest accepts', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.constantFrom('/health', 'health', '', 'node server.js'),
      fc.integer(),
      fc.array(fc.constantFrom('nodejs22', 'libstdc++6', '*', '-o x', '--setopt=a', '', 'a\nb'), {
        maxLength: 3,
      }),
      fc.constant(Array(51).fill('a')),
      fc.constant(undefined),
    );
    const keys = fc.constantFrom('start', 'healthPath', 'version', 'bake', 'packages', 'strat');
    const file = join(work, 'agreement.json');
    await fc.assert(
      // A valid manifest with one or two fields changed, removed or added: each rule is met alone.
      fc.asyncProperty(fc.dictionary(keys, value, { minKeys: 1, maxKeys: 2 }), async (changes) => {
        const text = JSON.stringify({ start: 'node server.js', packages: ['nodejs22'], ...changes });
        const manifest: unknown = JSON.parse(text);
        await writeFile(file, text);
        const checked = spawnSync('python3', ['-', file], { input: MANIFEST_CHECK, encoding: 'utf8' });
        expect(checked.status === 0).toBe(ArtifactManifest.safeParse(manifest).success);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
