import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { sdkSchemaKeysPlugin, withLiteralSchemaKeys } from '../../infra/bundling/sdk-schema-keys.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const outdir = await mkdtemp(join(tmpdir(), 'bakeshift-schemas-'));
afterAll(() => rm(outdir, { recursive: true, force: true }));

/** Every AWS SDK client the product depends on. */
const dependencies = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).dependencies as Record<
  string,
  string
>;
const CLIENTS = Object.keys(dependencies).filter((name) => name.startsWith('@aws-sdk/client-'));

/** A client's schema module, bundled alone (every export kept), with or without the rewrite. */
async function schemasOf(client: string, rewritten: boolean): Promise<Record<string, unknown>> {
  const clientDir = dirname(createRequire(join(ROOT, 'package.json')).resolve(`${client}/package.json`));
  const outfile = join(outdir, `${client.replace('/', '+')}-${rewritten}.mjs`);
  await build({
    entryPoints: [join(clientDir, 'dist-es/schemas/schemas_0.js')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    plugins: rewritten ? [sdkSchemaKeysPlugin] : [],
    logLevel: 'error',
  });
  return import(outfile);
}

/**
 * Whether two schema values are the same: data compared as data, thunks (`() => Shape$`) by what they return,
 * instances (error classes, registries) by their constructor's name; cycles followed once.
 */
function sameSchema(a: unknown, b: unknown, seen = new Set<unknown>()): boolean {
  if (typeof a === 'function' && typeof b === 'function') {
    if (a.length !== 0 || b.length !== 0 || /^class\b/.test(a.toString())) return a.name === b.name;
    return sameSchema((a as () => unknown)(), (b as () => unknown)(), seen);
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (seen.has(a)) return true;
  seen.add(a);
  if (Object.getPrototypeOf(a) !== Object.prototype && !Array.isArray(a))
    return a.constructor?.name === b.constructor?.name;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (key, i) =>
        key === keysB[i] &&
        sameSchema((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen),
    )
  );
}

describe('the SDK schemas rewritten with literal keys (infra/bundling/sdk-schema-keys.ts)', () => {
  it.each(CLIENTS)('%s: every export equal to the SDK’s own', async (client) => {
    const [original, rewritten] = await Promise.all([schemasOf(client, false), schemasOf(client, true)]);
    expect(Object.keys(rewritten).sort()).toEqual(Object.keys(original).sort());
    const differing = Object.keys(original).filter((name) => !sameSchema(original[name], rewritten[name]));
    expect(differing).toEqual([]);
  });

  it('leaves no computed key naming a string constant, and nothing else changed', () => {
    const source = [
      'const _xN = "xmlName";',
      'const _n = 7;',
      'export var A$ = [3, n0, _A, 0, [_I], [[0, { [_xN]: _II,',
      '    [_n]: 1 }], 2, { [other]: 1 }]];',
    ].join('\n');
    expect(withLiteralSchemaKeys(source)).toBe(
      [
        'const _xN = "xmlName";',
        'const _n = 7;',
        'export var A$ = [3, n0, _A, 0, [_I], [[0, { "xmlName": _II,',
        '    [_n]: 1 }], 2, { [other]: 1 }]];',
      ].join('\n'),
    );
  });

  it('the schema comparison can tell a changed trait', () => {
    expect(sameSchema([3, 'n', { xmlName: 'a' }, () => [1]], [3, 'n', { xmlName: 'a' }, () => [1]])).toBe(
      true,
    );
    expect(sameSchema([3, 'n', { xmlName: 'a' }], [3, 'n', { xmlName: 'b' }])).toBe(false);
    expect(sameSchema([3, 'n', () => [1]], [3, 'n', () => [2]])).toBe(false);
  });
});
