/**
 * `tsx infra/bundling/bundle-function-cli.ts OUTDIR ENTRY...` (entries from the current directory): the CDK app's
 * bundling step (function-code.ts), every entry in one build, each into OUTDIR/<its bundle key>/index.mjs.
 */
import { resolve } from 'node:path';
import { bundleFunctions, bundleKey } from './bundle-function.js';

const [outdir, ...entries] = process.argv.slice(2);
if (!outdir || entries.length === 0) {
  console.error('usage: bundle-function-cli.ts OUTDIR ENTRY...');
  process.exit(2);
}
await bundleFunctions(Object.fromEntries(entries.map((entry) => [bundleKey(entry), resolve(entry)])), outdir);
