import type { WindowMetrics } from '../../core/analysis/window-metrics.js';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import type { OperationResults } from '../../core/operations/operations.js';

export interface FleetSeries {
  /** Requests per second in each period. */
  requests: number[];
  /** Percent of requests that were 5xx; null without requests. */
  errorRate: (number | null)[];
  p99: (number | null)[];
}

/** What the console's charts draw (uPlot's columns): times in seconds, green's and blue's series, the verdicts. */
export interface ChartData {
  t: number[];
  green: FleetSeries;
  blue: FleetSeries | null;
  verdicts: { t: number; passed: boolean; judged: boolean; label: string }[];
  labels: { green: string; blue: string };
}

function seriesOf(windows: WindowMetrics[], periodSeconds: number): FleetSeries {
  return {
    requests: windows.map((w) => Math.round((w.requests / periodSeconds) * 10) / 10),
    errorRate: windows.map((w) => (w.requests ? Math.round((w.errors / w.requests) * 10_000) / 100 : null)),
    p99: windows.map((w) => w.p99Ms),
  };
}

/** The metrics operation's points and the record's verdicts (read through the record's type), for the charts. */
export function chartDataOf(
  metrics: OperationResults['metrics'],
  record: DeploymentRecord | null,
): ChartData {
  const { points, periodSeconds } = metrics;
  const blue = record?.blue ? points.map((p) => p.blue ?? { requests: 0, errors: 0, p99Ms: null }) : null;
  return {
    t: points.map((p) => Date.parse(p.at) / 1000),
    green: seriesOf(
      points.map((p) => p.green),
      periodSeconds,
    ),
    blue: blue && seriesOf(blue, periodSeconds),
    verdicts: (record?.analysis ?? []).map((a) => ({
      t: Date.parse(a.at) / 1000,
      passed: a.passed,
      judged: a.judged,
      label: `${a.step}: ${a.reason}`,
    })),
    labels: {
      green: `${record?.version ?? 'green'} (green)`,
      blue: record?.blue ? `${record.blue.version} (blue)` : 'blue',
    },
  };
}
