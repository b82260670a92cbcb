import * as z from 'zod';

/** Bounds the report so it always fits in a deployment request (Step Functions payloads: 256 KiB). */
export const MAX_REPORTED_INSTANCES = 100;
export const MAX_REPORTED_FINDINGS = 50;

export const DriftFinding = z
  .object({
    kind: z.enum([
      'fleet_missing',
      'capacity_changed',
      'launch_configuration_changed',
      'instance_count',
      'instance_not_on_live_image',
      'unmanaged_target',
      'instance_not_registered',
      'stale_base_image',
    ]),
    detail: z.string(),
  })
  .strict();
export type DriftFinding = z.infer<typeof DriftFinding>;

/** What a congruence run found before it replaced the fleet: kept with the run's record and announced. */
export const DriftReport = z
  .object({
    at: z.iso.datetime(),
    liveImageId: z.string(),
    /** How long ago the live image (and so its base) was baked. */
    imageAgeSeconds: z.number().nonnegative().optional(),
    onNewestBase: z.boolean(),
    instances: z
      .array(z.object({ instanceId: z.string(), imageId: z.string(), ageSeconds: z.number() }).strict())
      .max(MAX_REPORTED_INSTANCES),
    findings: z.array(DriftFinding).max(MAX_REPORTED_FINDINGS),
    /** Findings beyond MAX_REPORTED_FINDINGS: counted, not listed. */
    omittedFindings: z.number().int().nonnegative(),
  })
  .strict();
export type DriftReport = z.infer<typeof DriftReport>;

export const summarizeDrift = (report: DriftReport): string =>
  report.findings.length === 0
    ? `no drift (${report.instances.length} instances, all on the live image)`
    : `${report.findings.length + report.omittedFindings} drift finding(s): ${report.findings.map((f) => f.detail).join('; ')}${report.omittedFindings ? `; and ${report.omittedFindings} more` : ''}`;
