/** `tsx infra/bundling/bundle-function-cli.ts ENTRY OUTDIR`: the CDK app's bundling step (function-code.ts). */
import { bundleFunction } from './bundle-function.js';

const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  console.error('usage: bundle-function-cli.ts ENTRY OUTDIR');
  process.exit(2);
}
await bundleFunction(entry, outdir);
