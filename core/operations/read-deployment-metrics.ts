import type { WindowMetrics } from '../analysis/window-metrics.js';
import { NotFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { TrafficMetrics } from '../ports/traffic-metrics.js';
import type { OperationInput } from './operation-inputs.js';
import type { OperationResults } from './operations.js';

/** How finely a target's metrics can be read, and how many points one read may cost at most. */
export interface MetricsResolution {
  /** The shortest period the target measures (1 s locally; 60 s for CloudWatch's ALB metrics). */
  minPeriodSeconds: number;
  /** Points per read at most: a longer deployment gets wider periods. */
  maxPoints: number;
}

/** A period's totals from its buckets: requests and errors added, the p99 the largest of the buckets'. */
function sumOf(buckets: WindowMetrics[]): WindowMetrics {
  const p99s = buckets.map((b) => b.p99Ms).filter((p): p is number => p !== null);
  return {
    requests: buckets.reduce((n, b) => n + b.requests, 0),
    errors: buckets.reduce((n, b) => n + b.errors, 0),
    p99Ms: p99s.length ? Math.max(...p99s) : null,
  };
}

/**
 * Green's and blue's figures over a deployment, period by period, from its first traffic shift to its end (or
 * now): what the console charts against the analysis verdicts. Nothing before the first shift (green serves
 * no users then); blue is null when the deployment has no blue.
 */
export async function readDeploymentMetrics(
  deps: { store: ReleaseStore; metrics: TrafficMetrics; clock: Clock },
  { deploymentId }: OperationInput<'metrics'>,
  resolution: MetricsResolution,
): Promise<OperationResults['metrics']> {
  const record = await deps.store.getDeployment(deploymentId);
  if (!record) throw new NotFound(`no deployment ${deploymentId}`);
  const shiftedAt = record.phases.shift ? Date.parse(record.phases.shift) : undefined;
  if (shiftedAt === undefined)
    return { deploymentId, periodSeconds: resolution.minPeriodSeconds, points: [] };
  const end = Math.max(shiftedAt, Date.parse(record.finishedAt ?? deps.clock.now().toISOString()));
  const minPeriodMs = resolution.minPeriodSeconds * 1000;
  const periodMs = Math.max(
    minPeriodMs,
    Math.ceil((end - shiftedAt) / resolution.maxPoints / minPeriodMs) * minPeriodMs,
  );
  const start = Math.floor(shiftedAt / periodMs) * periodMs;
  const fleets = [record.greenFleetId, ...(record.blue ? [record.blue.fleetId] : [])];
  // One series over the whole deployment (one GetMetricData on AWS), summed period by period.
  const series = await deps.metrics.series(record, fleets, new Date(start), new Date(end + periodMs), {
    slowerThanMs: [],
  });
  const windowOf = (fleetId: string, from: number): WindowMetrics =>
    sumOf((series.fleets[fleetId] ?? []).filter((b) => b.at >= from && b.at < from + periodMs));
  const points: OperationResults['metrics']['points'] = [];
  for (let from = start; from <= end && points.length < resolution.maxPoints + 1; from += periodMs)
    points.push({
      at: new Date(from).toISOString(),
      green: windowOf(record.greenFleetId, from),
      blue: record.blue ? windowOf(record.blue.fleetId, from) : null,
    });
  return { deploymentId, periodSeconds: periodMs / 1000, points };
}
