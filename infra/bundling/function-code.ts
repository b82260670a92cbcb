import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { bundleKey } from './bundle-function.js';

const REPOSITORY_ROOT = new URL('../../', import.meta.url).pathname;
const BUNDLER = new URL('./bundle-function-cli.ts', import.meta.url).pathname;
/** One build of every function, on 2 cores under load: far more than it takes. */
const BUNDLING_TIMEOUT_MS = 600_000;

/**
 * The functions' code. The first time CDK asks for a bundle, every entry is bundled by bundle-function.ts in one
 * child process (CDK's local bundling is synchronous, esbuild's plugins are not) and one esbuild build, which
 * reads and parses what the functions share once instead of once per function; each asset is then a copy of its
 * entry's bundle, hashed by that bundle. The bundles are built beside CDK's own bundling directories, at their
 * depth: a source map's relative paths (and so the asset's hash) are those of a bundle built in place. There is
 * no Docker fallback.
 */
export class FunctionBundles {
  private built: { parent: string; prefix: string } | undefined;

  /** `entries`: paths from the repository's root, e.g. `aws/lambda/entries/bake-image.ts`. */
  constructor(private readonly entries: readonly string[]) {}

  code(entry: string): Code {
    if (!this.entries.includes(entry)) throw new Error(`${entry} is not among the entries to bundle`);
    return Code.fromAsset(REPOSITORY_ROOT, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('bakeshift-bundles-locally-only'),
        // CDK caches bundles by these options, not by tryBundle: the entry must be among them.
        environment: { BAKESHIFT_ENTRY: entry },
        local: {
          tryBundle: (outputDir) => {
            this.copy(entry, outputDir);
            return true;
          },
        },
      },
    });
  }

  private copy(entry: string, outputDir: string): void {
    const { parent, prefix } = this.buildAll(dirname(outputDir));
    const bundle = join(parent, `${prefix}${bundleKey(entry)}`);
    cpSync(bundle, outputDir, { recursive: true });
    rmSync(bundle, { recursive: true, force: true });
  }

  private buildAll(parent: string): { parent: string; prefix: string } {
    if (this.built) return this.built;
    const prefix = `bakeshift-bundle-${randomUUID().slice(0, 8)}-`;
    // Each bundle is removed once copied; those CDK never asks for (its own cache), when the process ends.
    process.once('exit', () => {
      for (const entry of this.entries)
        rmSync(join(parent, `${prefix}${bundleKey(entry)}`), { recursive: true, force: true });
    });
    const run = spawnSync(process.execPath, ['--import', 'tsx', BUNDLER, parent, prefix, ...this.entries], {
      cwd: REPOSITORY_ROOT,
      encoding: 'utf8',
      timeout: BUNDLING_TIMEOUT_MS,
    });
    if (run.status !== 0)
      throw new Error(`bundling the functions failed: ${run.stderr || run.error?.message}`);
    this.built = { parent, prefix };
    return this.built;
  }
}
