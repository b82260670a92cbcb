import * as z from 'zod';
import { BakeFailed } from '../errors.js';
import { describeIssues } from './describe-issues.js';

/** The name of the manifest file at the root of every artifact. */
export const MANIFEST_FILE = 'bakeshift.json';

/**
 * What an artifact says about itself. The app listens on the port in the `PORT` environment variable and
 * reads the rest of its configuration from the environment at start: nothing environment-specific is baked.
 */
export const ArtifactManifest = z
  .object({
    /** Shell command that starts the app, run from the image's root. */
    start: z.string().min(1),
    healthPath: z.string().startsWith('/', 'must start with "/"').default('/health'),
    /** The release's version, when the deploy command is given none. */
    version: z.string().min(1).max(64).optional(),
    /** Optional command run once at bake time, e.g. a dependency install. */
    bake: z.string().min(1).optional(),
    /**
     * Operating-system packages the app needs, by the base image's names (e.g. `nodejs22` on Amazon Linux
     * 2023), installed at bake with its package manager. Stock images carry no language runtime.
     */
    packages: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._:-]*$/, 'must be a package name'))
      .max(50)
      .default([]),
  })
  .strict();
export type ArtifactManifest = z.infer<typeof ArtifactManifest>;

export function parseArtifactManifest(raw: unknown, source = MANIFEST_FILE): ArtifactManifest {
  const parsed = ArtifactManifest.safeParse(raw);
  if (!parsed.success) throw new BakeFailed(describeIssues(source, parsed.error.issues, ArtifactManifest));
  return parsed.data;
}
