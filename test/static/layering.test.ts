import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const probe = mkdtempSync(join(tmpdir(), 'bakeshift-layers-'));
afterAll(() => rmSync(probe, { recursive: true, force: true }));

/** Our biome.json, in a scratch tree laid out like the repository (no VCS there). */
const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8'));
writeFileSync(join(probe, 'biome.json'), JSON.stringify({ ...config, vcs: { enabled: false } }));

/** Biome's findings for one file with these imports, at this path of the tree. */
function lintImports(path: string, specifiers: string[]): string {
  const file = join(probe, path);
  mkdirSync(dirname(file), { recursive: true });
  const names = specifiers.map((_, i) => `m${i}`);
  writeFileSync(
    file,
    `${specifiers.map((s, i) => `import * as ${names[i]} from '${s}';`).join('\n')}\nexport const all = [${names.join(', ')}];\n`,
  );
  const run = spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['lint', `--config-path=${probe}`, file], {
    cwd: probe,
    encoding: 'utf8',
  });
  return run.stdout + run.stderr;
}

describe('the size rules (biome.json: no product function over 60 lines or cognitive complexity 15)', () => {
  it('a 61-line function and a deeply branching one in product code fail lint', () => {
    const file = join(probe, 'core/deployment/too-big.ts');
    mkdirSync(dirname(file), { recursive: true });
    const long = Array.from({ length: 61 }, (_, i) => `  total += ${i};`).join('\n');
    const branching = Array.from({ length: 8 }, (_, i) => `if (a > ${i}) { if (b) { total++; } }`).join('\n');
    writeFileSync(
      file,
      `export function long(): number {\n  let total = 0;\n${long}\n  return total;\n}\n` +
        `export function branching(a: number, b: boolean): number {\n  let total = 0;\n${branching}\n  return total;\n}\n`,
    );
    const run = spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['lint', `--config-path=${probe}`, file], {
      cwd: probe,
      encoding: 'utf8',
    });
    const findings = run.stdout + run.stderr;
    expect(findings).toContain('lint/complexity/noExcessiveLinesPerFunction');
    expect(findings).toContain('lint/complexity/noExcessiveCognitiveComplexity');
  });
});

describe('the layering rule (biome.json noRestrictedImports, docs/ARCHITECTURE.md)', () => {
  it.each([
    ['core/deployment/breach.ts', '../../aws/baker/ec2-image-baker.js', "'core is pure'"],
    ['core/deployment/breach.ts', 'node:fs/promises', "'core is pure'"],
    ['core/config/breach.ts', '../../shared-adapters/config-files/read-json-file.js', "'core is pure'"],
    ['functions/breach.ts', '../aws/baker/ec2-image-baker.js', "'handlers are provider-neutral'"],
    ['functions/breach.ts', '@aws-sdk/client-ec2', "'handlers are provider-neutral'"],
    ['chatops/slack/breach.ts', '../../operator/cli/main.js', "'chatops is provider-neutral'"],
    ['aws/lambda/breach.ts', '../../operator/cli/main.js', "'targets stay apart'"],
    ['operator/cli/breach.ts', '../../infra/app.js', "'operator interfaces sit on the port'"],
    ['operator/console/breach.ts', '../../functions/catalog.js', "'operator interfaces sit on the port'"],
    [
      'shared-adapters/release-store/breach.ts',
      '../../aws/commons/tags.js',
      "'shared adapters serve both targets'",
    ],
    ['aws/lambda/breach.ts', '../../local/control-plane/control-plane.js', "'targets stay apart'"],
    ['local/control-plane/breach.ts', '../../aws/release-store/iam.js', "'targets stay apart'"],
    ['infra/breach.ts', '../local/demo/run-demo.js', "'targets stay apart'"],
  ])('%s importing %s fails lint with layer rule %s', (path, specifier, rule) => {
    const findings = lintImports(path, [specifier]);
    expect(findings).toContain('lint/style/noRestrictedImports');
    expect(findings).toContain(`layer rule ${rule}`);
  });

  it.each([
    ['core/deployment/allowed.ts', ['../ports/clock.js', 'zod', 'node:crypto']],
    [
      'functions/allowed.ts',
      ['../core/ports/index.js', '../chatops/slack/approval-blocks.js', '@middy/core'],
    ],
    ['local/control-plane/allowed.ts', ['../../shared-adapters/release-store/release-table.js', 'node:fs']],
    ['aws/lambda/allowed.ts', ['../../functions/catalog.js', '@aws-sdk/client-ec2']],
    [
      'operator/cli/allowed.ts',
      ['../../aws/operations/aws-operations.js', '../../local/api/http-operations.js'],
    ],
  ])('%s may import %j', (path, specifiers) => {
    const findings = lintImports(path, specifiers);
    expect(findings).toContain('Checked 1 file');
    expect(findings).not.toContain('noRestrictedImports');
  });
});
