import {
  type CloudWatchClient,
  type MetricDataQuery,
  paginateDescribeAlarms,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import type { WindowMetrics } from '../../core/analysis/window-metrics.js';
import type { ListenerKey } from '../../core/ports/traffic.js';
import type { TrafficMetrics } from '../../core/ports/traffic-metrics.js';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import { PAGE_SIZE } from '../commons/page-sizes.js';
import type { FleetDirectory } from '../fleets/fleet-directory.js';

/** ALB metrics have one-minute resolution (ELB user guide, "CloudWatch metrics for your Application Load Balancer"). */
const RESOLUTION_SECONDS = 60;

/** `arn:…:listener/app/<name>/<id>/<listener>` → the LoadBalancer dimension `app/<name>/<id>`. */
export const loadBalancerDimension = (listenerArn: string) =>
  (listenerArn.split(':').at(-1) ?? '')
    .replace(/^listener\//, '')
    .split('/')
    .slice(0, 3)
    .join('/');
/** `arn:…:targetgroup/<name>/<id>` → the TargetGroup dimension `targetgroup/<name>/<id>`. */
export const targetGroupDimension = (targetGroupArn: string) => targetGroupArn.split(':').at(-1) ?? '';

const metric = (
  id: string,
  name: string,
  stat: string,
  dimensions: { Name: string; Value: string }[],
  period: number,
): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: 'AWS/ApplicationELB', MetricName: name, Dimensions: dimensions },
    Period: period,
    Stat: stat,
  },
  ReturnData: true,
});

/**
 * The metrics port on CloudWatch: each fleet's target group's RequestCount, HTTPCode_Target_5XX_Count and
 * TargetResponseTime p99 over the window, in one GetMetricData whatever the number of fleets; alarms by
 * DescribeAlarms. The window is widened to whole minutes (the metrics' resolution).
 */
export class CloudWatchTrafficMetrics implements TrafficMetrics {
  constructor(
    private readonly cloudWatch: CloudWatchClient,
    private readonly settings: AwsSettings,
    private readonly directory: FleetDirectory,
  ) {}

  async windows(listener: ListenerKey, fleetIds: string[], from: Date, to: Date) {
    const env = await this.settings.environment(listener.service, listener.environment);
    const groups = await this.directory.ofEnvironment(listener.service, listener.environment);
    const start = Math.floor(from.getTime() / 60_000) * 60_000;
    const end = Math.max(Math.ceil(to.getTime() / 60_000) * 60_000, start + RESOLUTION_SECONDS * 1000);
    const period = (end - start) / 1000;
    const queries = fleetIds.flatMap((fleetId, i) => {
      const targetGroup = groups.find((g) => g.fleetId === fleetId)?.targetGroupArn;
      if (!targetGroup) return [];
      const dimensions = [
        { Name: 'LoadBalancer', Value: loadBalancerDimension(env.listenerArn) },
        { Name: 'TargetGroup', Value: targetGroupDimension(targetGroup) },
      ];
      return [
        metric(`requests${i}`, 'RequestCount', 'Sum', dimensions, period),
        metric(`errors${i}`, 'HTTPCode_Target_5XX_Count', 'Sum', dimensions, period),
        metric(`latency${i}`, 'TargetResponseTime', 'p99', dimensions, period),
      ];
    });
    const values = new Map<string, number[]>();
    if (queries.length) {
      const pages = paginateGetMetricData(
        { client: this.cloudWatch },
        { StartTime: new Date(start), EndTime: new Date(end), MetricDataQueries: queries },
      );
      const results = await withAwsErrors('GetMetricData', () =>
        readAll('GetMetricData', pages, (page) => page.MetricDataResults),
      );
      // A query's values can run over several pages.
      for (const result of results)
        values.set(result.Id ?? '', [...(values.get(result.Id ?? '') ?? []), ...(result.Values ?? [])]);
    }
    const sum = (id: string) => (values.get(id) ?? []).reduce((a, b) => a + b, 0);
    const found: Record<string, WindowMetrics> = {};
    fleetIds.forEach((fleetId, i) => {
      const p99 = values.get(`latency${i}`) ?? [];
      found[fleetId] = {
        requests: sum(`requests${i}`),
        errors: sum(`errors${i}`),
        // TargetResponseTime is in seconds.
        p99Ms: p99.length ? Math.round(Math.max(...p99) * 1000) : null,
      };
    });
    return found;
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
