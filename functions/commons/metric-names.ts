/** The CloudWatch namespace of bakeshift's metrics (the dashboard in infra/ reads it). */
export const METRICS_NAMESPACE = 'bakeshift';

/** The metrics a deployment's end publishes, by name: infra/constructs/deployments-dashboard.ts graphs them. */
export const DEPLOYMENT_METRICS = {
  deployments: 'Deployments',
  succeeded: 'DeploymentSucceeded',
  rolledBack: 'DeploymentRolledBack',
  duration: 'DeploymentDuration',
  bakeTime: 'BakeTime',
  analysisPass: 'AnalysisPass',
  analysisFail: 'AnalysisFail',
  analysisInconclusive: 'AnalysisInconclusive',
} as const;
