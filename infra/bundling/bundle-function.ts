import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { sdkSchemaKeysPlugin } from './sdk-schema-keys.js';

/** The file every bundle is written to; its `handler` export is the Lambda handler (`index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/**
 * How every function is bundled, as the CDK app deploys it and `npm run bench` times it: ESM for Node 22,
 * minified, with a source map, a `require` for the CommonJS dependencies esbuild inlines, the AWS SDK bundled and
 * tree-shaken (ADR 19), its unused schemas dropped (ADR 24).
 */
const BUNDLING = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  plugins: [sdkSchemaKeysPlugin],
  logLevel: 'error',
} as const satisfies BuildOptions;

/** Where an entry's bundle goes among many: its path, flat, without the extension (`aws_lambda_entries_bake-image`). */
export const bundleKey = (entry: string) => entry.replace(/\.[cm]?tsx?$/, '').replaceAll('/', '_');

/** Bundles one function's entry into `outdir/index.mjs`. */
export async function bundleFunction(entry: string, outdir: string): Promise<void> {
  await build({ ...BUNDLING, entryPoints: [entry], outfile: join(outdir, BUNDLE_FILE) });
}

/**
 * Bundles many entries in one esbuild build, each into `outdir/<key>/index.mjs` (and its map) exactly as
 * bundleFunction writes it alone: the modules they share (the SDK above all) are read and parsed once.
 */
export async function bundleFunctions(entries: Record<string, string>, outdir: string): Promise<void> {
  await build({
    ...BUNDLING,
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([key, entry]) => [join(key, BUNDLE_FILE.replace(/\.mjs$/, '')), entry]),
    ),
    outdir,
    outExtension: { '.js': '.mjs' },
  });
}
