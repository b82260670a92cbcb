import { BakeshiftError } from '../../core/errors.js';

/**
 * On Node < 22 every Task of aws-local-stepfunctions fails (Promise.withResolvers is missing) and a Catch
 * turns that into what looks like an ordinary failed deployment: refuse to start instead.
 */
export function assertSupportedNode(version = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (major < 22) {
    throw new BakeshiftError(
      'UnsupportedNode',
      `bakeshift's local engine needs Node 22 or later, and this is Node ${version}. Run it through npm scripts ` +
        '(npm run demo, npm test), which put the project Node 22 first on the PATH.',
    );
  }
}
