import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { motoShims } from '../moto/shims/index.js';
import { CREATED_BY_THE_TEST } from '../moto/support/moto-template.js';

const DOC = readFileSync(new URL('../../docs/moto-shims.md', import.meta.url), 'utf8');

/** Where the installed moto's package lives (its parent holds `moto/…`, as the citations are written). */
function installedMotoRoot(): string {
  const probe = spawnSync(
    'python3',
    ['-c', 'import moto, os; print(os.path.dirname(os.path.dirname(moto.__file__)))'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (probe.status !== 0)
    throw new Error(`moto is not importable by python3 (${probe.stderr.trim()}): pip install "moto[server]"`);
  return probe.stdout.trim();
}

/** Every `moto/…py:N` or `moto/…py:N-M` a citation names. */
function citedLines(source: string): { file: string; last: number }[] {
  return [...source.matchAll(/(moto\/[a-z0-9_/]+\.py):(\d+)(?:-(\d+))?/g)].map((m) => ({
    file: m[1] ?? '',
    last: Number(m[3] ?? m[2]),
  }));
}

describe("the moto suite's shims (test/moto/shims) and docs/moto-shims.md", () => {
  it.each(motoShims('http://127.0.0.1:1').map((s) => [s.operation, s]))(
    "%s cites moto's source (file and line) and AWS's reference, and is listed in the doc",
    (_, shim) => {
      expect(shim.moto.source).toMatch(/moto\/[a-z0-9_/]+\.py:\d+/);
      expect(shim.aws.reference).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(shim.aws.says.length).toBeGreaterThan(20);
      expect(DOC).toContain(`| ${shim.operation.split(' ')[0]} |`);
      expect(DOC).toContain(shim.aws.says.split(': ').at(-1)?.slice(0, 40));
    },
  );

  it("every file and line a shim cites exists in the installed moto's source", () => {
    const root = installedMotoRoot();
    const cited = motoShims('http://127.0.0.1:1').flatMap((s) => citedLines(s.moto.source));
    expect(cited.length).toBeGreaterThanOrEqual(motoShims('http://127.0.0.1:1').length);
    for (const { file, last } of cited) {
      const path = join(root, file);
      expect(existsSync(path), `${file} is not in moto at ${root}`).toBe(true);
      expect(
        readFileSync(path, 'utf8').split('\n').length,
        `${file} has no line ${last}`,
      ).toBeGreaterThanOrEqual(last);
    }
  });

  it('every resource type the test creates for moto is named in the doc with its reason', () => {
    for (const type of Object.keys(CREATED_BY_THE_TEST)) expect(DOC).toContain(`| ${type} |`);
  });
});
