import { BakeFailed } from '../../core/errors.js';

/**
 * What the local base provides, by the package names a manifest may use: local instances are processes on
 * this machine, run by its Node. A manifest needing anything else cannot be baked locally; it says which.
 */
export function checkLocalBasePackages(
  packages: readonly string[],
  nodeVersion = process.versions.node,
): void {
  const major = nodeVersion.split('.')[0];
  const provided = ['nodejs', `nodejs${major}`];
  const missing = packages.filter((name) => !provided.includes(name));
  if (missing.length > 0)
    throw new BakeFailed(
      `bakeshift.json packages: ${missing.join(', ')} not provided by the local base (it provides ${provided.join(', ')}: this machine's Node ${nodeVersion})`,
    );
}
