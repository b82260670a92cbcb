import * as z from 'zod';
import { ArtifactManifest } from '../../core/config/artifact-manifest.js';
import { describeIssues } from '../../core/config/describe-issues.js';

/**
 * The builder's report (builder-user-data.ts `report`). It comes from a machine where the artifact's bake command
 * ran as root, and so could have PUT anything to the report's URL or printed anything on the console: it is read
 * as untrusted input, with the manifest's own rule for the health path the image is tagged with.
 */
export const BuilderReport = z.object({
  status: z.enum(['succeeded', 'failed']),
  healthPath: ArtifactManifest.shape.healthPath,
  logTail: z.string().optional(),
});
export type BuilderReport = z.infer<typeof BuilderReport>;

/** A report that is not one the builder's script writes fails the bake, saying why. */
export function parseBuilderReport(text: string): BuilderReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refused('report: (root): not JSON');
  }
  const parsed = BuilderReport.safeParse(raw);
  return parsed.success ? parsed.data : refused(describeIssues('report', parsed.error.issues));
}

const refused = (why: string): BuilderReport => ({
  status: 'failed',
  healthPath: '/health',
  logTail: `the builder's report is not one its script writes: ${why}`,
});
