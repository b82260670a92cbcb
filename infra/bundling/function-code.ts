import { spawnSync } from 'node:child_process';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';

const REPOSITORY_ROOT = new URL('../../', import.meta.url).pathname;
const BUNDLER = new URL('./bundle-function-cli.ts', import.meta.url).pathname;

/**
 * A function's code: its entry bundled by bundle-function.ts in a child process (CDK's local bundling is
 * synchronous, esbuild's plugins are not), hashed by the bundle it produces. There is no Docker fallback.
 */
export function functionCode(entry: string): Code {
  return Code.fromAsset(REPOSITORY_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('bakeshift-bundles-locally-only'),
      // CDK caches bundles by these options, not by tryBundle: the entry must be among them.
      environment: { BAKESHIFT_ENTRY: entry },
      local: {
        tryBundle(outputDir) {
          const run = spawnSync(
            process.execPath,
            ['--import', 'tsx', BUNDLER, `${REPOSITORY_ROOT}${entry}`, outputDir],
            {
              cwd: REPOSITORY_ROOT,
              encoding: 'utf8',
              timeout: 120_000,
            },
          );
          if (run.status !== 0)
            throw new Error(`bundling ${entry} failed: ${run.stderr || run.error?.message}`);
          return true;
        },
      },
    },
  });
}
