import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction, bundleFunctions, bundleKey } from '../../infra/bundling/bundle-function.js';

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
});
