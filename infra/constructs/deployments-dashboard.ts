import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DEPLOYMENT_METRICS, METRICS_NAMESPACE } from '../../functions/commons/metric-names.js';
import type { ServiceDefinition } from '../load-services.js';

export interface DeploymentsDashboardProps {
  services: ServiceDefinition[];
  /** The dashboard's name (default: the construct's generated one). */
  dashboardName?: string;
}

const PERIOD = Duration.days(1);

/**
 * A CloudWatch dashboard of the metrics each deployment's end publishes (functions/commons/deployment-metrics.ts,
 * EMF): per service and environment, deployments and rollbacks, duration, bake time and analysis verdicts.
 */
export class DeploymentsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DeploymentsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.days(30),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# bakeshift deployments\nPublished by AnnounceOutcome (EMF), per service and environment; daily sums.',
        width: 24,
        height: 2,
      }),
    );
    for (const { config } of props.services)
      for (const environment of Object.keys(config.environments))
        this.dashboard.addWidgets(...rowOf(config.service, environment));
  }
}

function rowOf(service: string, environment: string): IWidget[] {
  const metric = (metricName: string, statistic: string, label: string) =>
    new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service, environment },
      statistic,
      period: PERIOD,
      label,
    });
  const title = (what: string) => `${service} ${environment}: ${what}`;
  return [
    new GraphWidget({
      title: title('deployments'),
      left: [
        metric(DEPLOYMENT_METRICS.deployments, 'Sum', 'deployments'),
        metric(DEPLOYMENT_METRICS.succeeded, 'Sum', 'succeeded'),
        metric(DEPLOYMENT_METRICS.rolledBack, 'Sum', 'rolled back'),
      ],
      width: 6,
    }),
    new GraphWidget({
      title: title('duration and bake time (s)'),
      left: [
        metric(DEPLOYMENT_METRICS.duration, 'p50', 'duration p50'),
        metric(DEPLOYMENT_METRICS.duration, 'Maximum', 'duration max'),
        metric(DEPLOYMENT_METRICS.bakeTime, 'Average', 'bake time'),
      ],
      width: 9,
    }),
    new GraphWidget({
      title: title('analysis verdicts'),
      left: [
        metric(DEPLOYMENT_METRICS.analysisPass, 'Sum', 'pass'),
        metric(DEPLOYMENT_METRICS.analysisFail, 'Sum', 'fail'),
        metric(DEPLOYMENT_METRICS.analysisInconclusive, 'Sum', 'inconclusive'),
      ],
      width: 9,
    }),
  ];
}
