import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_METRICS, METRICS_NAMESPACE } from '../../functions/commons/metric-names.js';
import { LAMBDA_FUNCTIONS } from '../../infra/lambda-catalog.js';
import { synthBakeshift } from '../support/synth-bakeshift.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource>;
beforeAll(async () => {
  // Template only (no bundling), with cdk-nag: a finding on the dashboard would make synth throw.
  const synth = await synthBakeshift({ bundle: false, otlpEndpoint: 'https://collector.example.com:4318' });
  resources = synth.template.toJSON().Resources as Record<string, Resource>;
}, 120_000);
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('observability in the CDK app', () => {
  it('a CloudWatch dashboard graphs every deployment metric per service and environment of the example', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const name of Object.values(DEPLOYMENT_METRICS)) {
      expect(body).toContain(
        `[\\"${METRICS_NAMESPACE}\\",\\"${name}\\",\\"environment\\",\\"staging\\",\\"service\\",\\"hello\\"`,
      );
    }
  });

  it('with the otlpEndpoint context value, every function exports its spans there', () => {
    const functions = ofType('AWS::Lambda::Function').filter((f) =>
      String(f.Properties.Description ?? '').startsWith('bakeshift '),
    );
    expect(functions).toHaveLength(LAMBDA_FUNCTIONS.length);
    for (const fn of functions) {
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318' },
      });
    }
  });
});
