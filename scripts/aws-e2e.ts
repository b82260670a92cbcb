/**
 * `npm run test:aws-account`: the AWS adapters against a real account. Without AWS credentials it says so and runs
 * nothing. It has not been run by bakeshift's developers (no account is reachable where it was written).
 */
import { spawnSync } from 'node:child_process';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 5000));
try {
  await Promise.race([fromNodeProviderChain()(), timeout]);
} catch (error) {
  console.log(
    `test:aws-account skipped: no AWS credentials (${(error as Error).message}). Nothing was run against AWS.`,
  );
  process.exit(0);
}
if (!process.env.BAKESHIFT_E2E_TABLE) {
  console.log(
    'test:aws-account skipped: set BAKESHIFT_E2E_TABLE (and the SSM settings; see README "End-to-end on AWS").',
  );
  process.exit(0);
}
const run = spawnSync('vitest', ['run', '--config', 'vitest.aws-e2e.config.ts'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
