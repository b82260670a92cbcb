import {
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
  paginateDescribeAlarms,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import type { MetricBucket, TrafficSeries } from '../../core/analysis/window-metrics.js';
import type { ListenerKey } from '../../core/ports/traffic.js';
import type { TrafficMetrics } from '../../core/ports/traffic-metrics.js';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import { PAGE_SIZE } from '../commons/page-sizes.js';
import type { FleetDirectory } from '../fleets/fleet-directory.js';

/** ALB metrics have one-minute resolution (ELB user guide, "CloudWatch metrics for your Application Load Balancer"). */
const MINUTE = 60_000;
/**
 * A minute is taken as final this long after it ends: ALB datapoints arrive late, and a minute read too early
 * has too few requests (a window read before it settles would fail open).
 */
export const SETTLE_SECONDS = 180;

/** `arn:…:listener/app/<name>/<id>/<listener>` → the LoadBalancer dimension `app/<name>/<id>`. */
export const loadBalancerDimension = (listenerArn: string) =>
  (listenerArn.split(':').at(-1) ?? '')
    .replace(/^listener\//, '')
    .split('/')
    .slice(0, 3)
    .join('/');
/** `arn:…:targetgroup/<name>/<id>` → the TargetGroup dimension `targetgroup/<name>/<id>`. */
export const targetGroupDimension = (targetGroupArn: string) => targetGroupArn.split(':').at(-1) ?? '';

const metric = (id: string, name: string, stat: string, dimensions: { Name: string; Value: string }[]) => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: 'AWS/ApplicationELB', MetricName: name, Dimensions: dimensions },
    Period: 60,
    Stat: stat,
  },
  ReturnData: true,
});

/**
 * Per target group (ELB user guide, the metrics whose dimensions include TargetGroup): its requests (counted
 * whenever the load balancer chose one of its targets), its targets' 5xx, and the 5xx the load balancer
 * answered for it because a connection or a TLS session to its target failed (each such request is a 502).
 * Response time: p50 and p99, and the requests slower than each threshold (trimmed count TC(threshold:),
 * in seconds).
 */
function targetGroupQueries(
  i: number,
  dimensions: { Name: string; Value: string }[],
  slowerThanMs: number[],
) {
  return [
    metric(`requests${i}`, 'RequestCount', 'Sum', dimensions),
    metric(`targetErrors${i}`, 'HTTPCode_Target_5XX_Count', 'Sum', dimensions),
    metric(`connectionErrors${i}`, 'TargetConnectionErrorCount', 'Sum', dimensions),
    metric(`tlsErrors${i}`, 'TargetTLSNegotiationErrorCount', 'Sum', dimensions),
    metric(`median${i}`, 'TargetResponseTime', 'p50', dimensions),
    metric(`latency${i}`, 'TargetResponseTime', 'p99', dimensions),
    ...slowerThanMs.map((ms, k) =>
      metric(`slow${i}x${k}`, 'TargetResponseTime', `TC(${(ms / 1000).toFixed(3)}:)`, dimensions),
    ),
  ];
}

/**
 * The metrics port on CloudWatch: every fleet's target-group metrics minute by minute, and the load
 * balancer's own ELB-generated 5xx (HTTPCode_ELB_5XX_Count has no TargetGroup dimension), in one
 * GetMetricData whatever the number of fleets; alarms by DescribeAlarms. Only whole minutes that ended at
 * least SETTLE_SECONDS before `to` are returned. The load balancer's 5xx less the target groups' connection
 * and TLS errors are the ones no target group accounts for (timeouts, 503s): reported, not attributed.
 */
export class CloudWatchTrafficMetrics implements TrafficMetrics {
  constructor(
    private readonly cloudWatch: CloudWatchClient,
    private readonly settings: AwsSettings,
    private readonly directory: FleetDirectory,
  ) {}

  async series(
    listener: ListenerKey,
    fleetIds: string[],
    from: Date,
    to: Date,
    options: { slowerThanMs: number[] },
  ): Promise<TrafficSeries> {
    const start = Math.ceil(from.getTime() / MINUTE) * MINUTE;
    const settledUntil = Math.max(
      start,
      Math.floor((to.getTime() - SETTLE_SECONDS * 1000) / MINUTE) * MINUTE,
    );
    const grid = Array.from({ length: (settledUntil - start) / MINUTE }, (_, k) => start + k * MINUTE);
    const empty: TrafficSeries = { bucketSeconds: 60, settledUntil, fleets: {}, unattributedErrors: [] };
    for (const fleetId of fleetIds)
      empty.fleets[fleetId] = grid.map((at) => bucketAt(at, options.slowerThanMs.length));
    empty.unattributedErrors = grid.map(() => 0);
    if (grid.length === 0) return empty;

    const env = await this.settings.environment(listener.service, listener.environment);
    const groups = await this.directory.ofEnvironment(listener.service, listener.environment);
    const loadBalancer = { Name: 'LoadBalancer', Value: loadBalancerDimension(env.listenerArn) };
    const queries: MetricDataQuery[] = [metric('elbErrors', 'HTTPCode_ELB_5XX_Count', 'Sum', [loadBalancer])];
    fleetIds.forEach((fleetId, i) => {
      const targetGroup = groups.find((g) => g.fleetId === fleetId)?.targetGroupArn;
      if (targetGroup)
        queries.push(
          ...targetGroupQueries(
            i,
            [loadBalancer, { Name: 'TargetGroup', Value: targetGroupDimension(targetGroup) }],
            options.slowerThanMs,
          ),
        );
    });
    const results = await this.query(queries, start, settledUntil);
    const at = (id: string, minute: number) => results.get(id)?.get(minute);
    const sum = (id: string, minute: number) => at(id, minute) ?? 0;
    fleetIds.forEach((fleetId, i) => {
      empty.fleets[fleetId] = grid.map((minute) => {
        const [p50, p99] = [at(`median${i}`, minute), at(`latency${i}`, minute)];
        return {
          at: minute,
          requests: sum(`requests${i}`, minute),
          errors:
            sum(`targetErrors${i}`, minute) +
            sum(`connectionErrors${i}`, minute) +
            sum(`tlsErrors${i}`, minute),
          slow: options.slowerThanMs.map((_, k) => sum(`slow${i}x${k}`, minute)),
          // TargetResponseTime is in seconds.
          p50Ms: p50 === undefined ? null : Math.round(p50 * 1000),
          p99Ms: p99 === undefined ? null : Math.round(p99 * 1000),
        };
      });
    });
    empty.unattributedErrors = grid.map((minute) => {
      const attributed = fleetIds.reduce(
        (n, _, i) => n + sum(`connectionErrors${i}`, minute) + sum(`tlsErrors${i}`, minute),
        0,
      );
      return Math.max(0, sum('elbErrors', minute) - attributed);
    });
    return empty;
  }

  /**
   * Each query's datapoints by minute, read to the last page (ADR 36: a query's values can run over several
   * pages); oldest first (GetMetricData returns them newest first unless asked otherwise).
   */
  private async query(queries: MetricDataQuery[], start: number, end: number) {
    const pages = paginateGetMetricData(
      { client: this.cloudWatch },
      {
        StartTime: new Date(start),
        EndTime: new Date(end),
        MetricDataQueries: queries,
        ScanBy: 'TimestampAscending',
      },
    );
    const found = await withAwsErrors('GetMetricData', () =>
      readAll('GetMetricData', pages, (page) => page.MetricDataResults),
    );
    const results = new Map<string, Map<number, number>>();
    for (const result of found as MetricDataResult[]) {
      const byMinute = results.get(result.Id ?? '') ?? new Map<number, number>();
      (result.Timestamps ?? []).forEach((t, k) => {
        const value = result.Values?.[k];
        if (value !== undefined) byMinute.set(new Date(t).getTime(), value);
      });
      results.set(result.Id ?? '', byMinute);
    }
    return results;
  }

  async alarmsFiring(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const pages = paginateDescribeAlarms(
      { client: this.cloudWatch, pageSize: PAGE_SIZE.alarms },
      { AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], StateValue: 'ALARM' },
    );
    const alarms = await withAwsErrors('DescribeAlarms', () =>
      readAll('DescribeAlarms', pages, (page) => [
        ...(page.MetricAlarms ?? []),
        ...(page.CompositeAlarms ?? []),
      ]),
    );
    return alarms.map((a) => a.AlarmName ?? '');
  }
}

const bucketAt = (at: number, thresholds: number): MetricBucket => ({
  at,
  requests: 0,
  errors: 0,
  slow: new Array(thresholds).fill(0),
  p50Ms: null,
  p99Ms: null,
});
