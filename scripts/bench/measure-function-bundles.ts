import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FILE, bundleFunction } from '../../infra/bundling/bundle-function.js';
import { LAMBDA_FUNCTIONS } from '../../infra/lambda-catalog.js';

export interface FunctionBundle {
  name: string;
  bytes: number;
  /** Median of fresh Node processes importing the bundle (the module init a cold start runs). */
  initMs: number;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const IMPORTS_PER_FUNCTION = 5;

/** Times `import()` of the bundle in a new process of the Node that runs this script (22 under npm). */
function importMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
    // The entries read these when their ports are built at import, as on Lambda.
    env: {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_REGION: 'us-east-1',
      BAKESHIFT_RELEASE_TABLE: 'bench',
      BAKESHIFT_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
      BAKESHIFT_EVENT_BUS: 'default',
      BAKESHIFT_SLACK_BOT_TOKEN_SECRET: 'bench',
      BAKESHIFT_SLACK_SIGNING_SECRET: 'bench',
    },
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return Number(run.stdout.trim());
}

/** Bundles every function as the CDK app does and measures its size and import time. */
export async function measureFunctionBundles(
  onProgress: (line: string) => void = () => undefined,
): Promise<FunctionBundle[]> {
  const out = await mkdtemp(join(tmpdir(), 'bakeshift-bundles-'));
  try {
    const results: FunctionBundle[] = [];
    for (const fn of LAMBDA_FUNCTIONS) {
      await bundleFunction(join(ROOT, fn.entry), join(out, fn.name));
      const outfile = join(out, fn.name, BUNDLE_FILE);
      const times = Array.from({ length: IMPORTS_PER_FUNCTION }, () => importMs(outfile)).sort(
        (a, b) => a - b,
      );
      const bundle = {
        name: fn.name,
        bytes: (await stat(outfile)).size,
        initMs: Math.round(times[Math.floor(times.length / 2)] ?? Number.NaN),
      };
      onProgress(`  ${bundle.name}: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.initMs} ms`);
      results.push(bundle);
    }
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
