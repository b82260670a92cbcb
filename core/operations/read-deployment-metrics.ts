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

const EMPTY: WindowMetrics = { requests: 0, errors: 0, p99Ms: null };

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
  const points: OperationResults['metrics']['points'] = [];
  for (let from = start; from <= end && points.length < resolution.maxPoints + 1; from += periodMs) {
    // A window's end is inclusive of its last whole second: stop a millisecond short of the next period.
    const windows = await deps.metrics.windows(record, fleets, new Date(from), new Date(from + periodMs - 1));
    points.push({
      at: new Date(from).toISOString(),
      green: windows[record.greenFleetId] ?? EMPTY,
      blue: record.blue ? (windows[record.blue.fleetId] ?? EMPTY) : null,
    });
  }
  return { deploymentId, periodSeconds: periodMs / 1000, points };
}
