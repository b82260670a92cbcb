import type { FleetHealth } from '../ports/health.js';
import type { FleetDiagnosis, HealthProbe, InstanceReport } from '../ports/instance-diagnostics.js';

/** Green is ready only when its full desired count is healthy: never shift to a partly healthy fleet. */
export const isFullyHealthy = (health: FleetHealth, desired: number) =>
  health.healthy >= desired && health.unhealthy === 0;

export function describeHealth(health: FleetHealth, desired: number): string {
  const counts = `${health.healthy}/${desired} healthy, ${health.unhealthy} unhealthy, ${health.total} registered`;
  return health.details.length > 0 ? `${counts} (${health.details.join('; ')})` : counts;
}

/** How many instances' reports a cause carries, and how many lines each: enough to act on, short enough to read. */
const REPORTED_INSTANCES = 2;
const REPORTED_LINES = 16;
const EXCERPT_CHARS = 200;

function describeInstance(report: InstanceReport): string {
  const how = report.exit ? `${report.instanceId} exited (${report.exit})` : report.instanceId;
  const lines = report.lastOutput.slice(-REPORTED_LINES);
  return lines.length > 0
    ? `${how}; its last output:\n${lines.map((line) => `    ${line}`).join('\n')}`
    : `${how}; it printed nothing`;
}

function describeProbe(probe: HealthProbe): string {
  const asked = `GET ${probe.path} on ${probe.instanceId}, expected ${probe.expectedStatus}`;
  if (probe.status === undefined) return `${asked}: no answer (${probe.error ?? 'no reason given'})`;
  const body = probe.bodyExcerpt.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_CHARS);
  return `${asked}, received ${probe.status}${body ? `: "${body}"` : ' (empty body)'}`;
}

/** The health check a green failed, and what its instances said: appended to a HealthCheckFailed cause. */
export function describeDiagnosis(diagnosis: FleetDiagnosis | undefined, healthPath?: string): string {
  const parts: string[] = [];
  if (diagnosis?.probe) parts.push(`health check: ${describeProbe(diagnosis.probe)}`);
  else if (healthPath) parts.push(`health check: GET ${healthPath}, expected 200`);
  const reports = diagnosis?.instances.slice(-REPORTED_INSTANCES) ?? [];
  parts.push(...reports.map(describeInstance));
  return parts.join('\n  ');
}
