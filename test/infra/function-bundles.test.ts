import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction, bundleFunctions, bundleKey } from '../../infra/bundling/bundle-function.js';
import { FunctionBundles } from '../../infra/bundling/function-code.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const outdir = await mkdtemp(join(tmpdir(), 'bakeshift-bundles-test-'));
afterAll(() => rm(outdir, { recursive: true, force: true }));

// Two of the smallest functions: what one build shares between entries must not leak into either's bundle.
const ENTRIES = ['aws/lambda/entries/release-lock.ts', 'aws/lambda/entries/record-failure.ts'];

describe('bundling every function in one build (infra/bundling, what cdk synth deploys)', () => {
  it('writes each bundle and its map byte for byte as the entry bundled alone', async () => {
    const together = join(outdir, 'together');
    await bundleFunctions(
      Object.fromEntries(ENTRIES.map((entry) => [bundleKey(entry), join(ROOT, entry)])),
      together,
    );
    expect((await readdir(together)).sort()).toEqual(ENTRIES.map(bundleKey).sort());
    for (const entry of ENTRIES) {
      const alone = join(outdir, 'alone', bundleKey(entry));
      await bundleFunction(join(ROOT, entry), alone);
      for (const file of ['index.mjs', 'index.mjs.map']) {
        const [mine, its] = await Promise.all([
          readFile(join(together, bundleKey(entry), file)),
          readFile(join(alone, file)),
        ]);
        expect(mine.equals(its), `${entry}: ${file}`).toBe(true);
      }
    }
  }, 120_000);

  it("gives each asset a map whose sources are found from the asset's own place, and leaves nothing else", async () => {
    // A cloud assembly deeper than the temporary directory: a map's paths are relative to where it was built.
    const assembly = join(outdir, 'deep', 'er', 'cdk.out');
    const app = new App({ outdir: assembly });
    const stack = new Stack(app, 'bundles');
    const bundles = new FunctionBundles(ENTRIES);
    for (const [index, entry] of ENTRIES.entries())
      new LambdaFunction(stack, `F${index}`, {
        code: bundles.code(entry),
        handler: 'index.handler',
        runtime: Runtime.NODEJS_22_X,
      });
    app.synth();
    const assets = readdirSync(assembly).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(ENTRIES.length);
    expect(readdirSync(assembly).filter((name) => name.startsWith('bakeshift-bundle-'))).toEqual([]);
    for (const asset of assets) {
      const map = JSON.parse(await readFile(join(assembly, asset, 'index.mjs.map'), 'utf8')) as {
        sources: string[];
      };
      const ours = map.sources.filter((source) => source.includes('aws/lambda/entries/'));
      expect(ours).toHaveLength(1);
      for (const source of ours) expect(existsSync(resolve(assembly, asset, source)), source).toBe(true);
    }
  }, 120_000);
});
