/**
 * `tsx infra/bundling/bundle-function-cli.ts OUTDIR PREFIX ENTRY...` (entries from the current directory): the CDK
 * app's bundling step (function-code.ts), every entry in one build, each into OUTDIR/<PREFIX><its bundle key>/.
 */
import { resolve } from 'node:path';
import { bundleFunctions, bundleKey } from './bundle-function.js';

const [outdir, prefix, ...entries] = process.argv.slice(2);
if (!outdir || prefix === undefined || entries.length === 0) {
  console.error('usage: bundle-function-cli.ts OUTDIR PREFIX ENTRY...');
  process.exit(2);
}
await bundleFunctions(
  Object.fromEntries(entries.map((entry) => [`${prefix}${bundleKey(entry)}`, resolve(entry)])),
  outdir,
);
