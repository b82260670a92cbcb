import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { phaseDurations } from '../../core/deployment/phase-durations.js';
import { DEPLOYMENT_METRICS, METRICS_NAMESPACE } from './metric-names.js';

/**
 * Publishes a deployment's end as CloudWatch metrics in the Embedded Metric Format (Powertools Metrics: one
 * JSON line on standard output, which CloudWatch Logs turns into metrics, no API call on the step's path).
 * Dimensions: service (the deployed one) and environment.
 */
export function publishDeploymentMetrics(record: DeploymentRecord, now: Date): void {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: record.service });
  metrics.addDimension('environment', record.environment);
  const end = record.finishedAt ? Date.parse(record.finishedAt) : now.getTime();
  const rolledBack = record.status === 'rolled_back';
  metrics.addMetric(DEPLOYMENT_METRICS.deployments, MetricUnit.Count, 1);
  metrics.addMetric(DEPLOYMENT_METRICS.succeeded, MetricUnit.Count, record.status === 'succeeded' ? 1 : 0);
  metrics.addMetric(DEPLOYMENT_METRICS.rolledBack, MetricUnit.Count, rolledBack ? 1 : 0);
  metrics.addMetric(
    DEPLOYMENT_METRICS.duration,
    MetricUnit.Seconds,
    Math.max(0, (end - Date.parse(record.requestedAt)) / 1000),
  );
  const bake = phaseDurations(record, new Date(end)).bake;
  if (bake !== undefined && !record.imageReused)
    metrics.addMetric(DEPLOYMENT_METRICS.bakeTime, MetricUnit.Seconds, bake);
  const verdicts = { pass: 0, fail: 0, inconclusive: 0 };
  for (const entry of record.analysis ?? []) verdicts[entry.outcome ?? (entry.passed ? 'pass' : 'fail')] += 1;
  if ((record.analysis ?? []).length > 0) {
    metrics.addMetric(DEPLOYMENT_METRICS.analysisPass, MetricUnit.Count, verdicts.pass);
    metrics.addMetric(DEPLOYMENT_METRICS.analysisFail, MetricUnit.Count, verdicts.fail);
    metrics.addMetric(DEPLOYMENT_METRICS.analysisInconclusive, MetricUnit.Count, verdicts.inconclusive);
  }
  metrics.publishStoredMetrics();
}
