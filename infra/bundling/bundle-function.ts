import { join } from 'node:path';
import { build } from 'esbuild';
import { sdkSchemaKeysPlugin } from './sdk-schema-keys.js';

/** The file every bundle is written to; its `handler` export is the Lambda handler (`index.handler`). */
export const BUNDLE_FILE = 'index.mjs';

/**
 * Bundles one function's entry into `outdir` as the CDK app deploys it and `npm run bench` times it: ESM for
 * Node 22, minified, with a source map, a `require` for the CommonJS dependencies esbuild inlines, the AWS SDK
 * bundled and tree-shaken (ADR 19), its unused schemas dropped (ADR 24).
 */
export async function bundleFunction(entry: string, outdir: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile: join(outdir, BUNDLE_FILE),
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
  });
}
