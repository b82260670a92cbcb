/**
 * The CDK app (`npx cdk synth|deploy`, see cdk.json): one BakeshiftStack for the services in infra/services
 * (or the directory in the `services` context value), with cdk-nag's AwsSolutions checks.
 */
import { App, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigInvalid } from '../core/errors.js';
import { BakeshiftStack, type ExistingVpc } from './bakeshift-stack.js';
import { loadServices, type ServiceDefinition } from './load-services.js';

const app = new App();
const servicesDir = String(
  app.node.tryGetContext('services') ?? new URL('./services', import.meta.url).pathname,
);
const vpc = app.node.tryGetContext('vpc') as ExistingVpc | undefined;
// Where the functions export each deployment's trace (OTLP/HTTP), e.g. a collector's URL: -c otlpEndpoint=…
const otlpEndpoint = app.node.tryGetContext('otlpEndpoint') as string | undefined;
// How long every log group keeps its logs (functions, state machine, the instances' central logs).
const retentionContext = app.node.tryGetContext('logRetentionDays');
const logRetention = retentionContext === undefined ? undefined : Number(retentionContext);
if (logRetention !== undefined && !Object.values(RetentionDays).includes(logRetention)) {
  console.error(
    `bakeshift: context logRetentionDays: ${retentionContext} is no CloudWatch Logs retention (one of ${Object.values(
      RetentionDays,
    )
      .filter((v) => typeof v === 'number')
      .join(', ')})`,
  );
  process.exit(1);
}
const region = process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
if (!region) {
  console.error('bakeshift: set AWS_REGION (the ALB access logs need the region at synth)');
  process.exit(1);
}
let services: ServiceDefinition[];
try {
  services = await loadServices(servicesDir);
} catch (error) {
  // A bad configuration is the user's to fix: say what is wrong, without a stack trace.
  if (!(error instanceof ConfigInvalid)) throw error;
  console.error(`bakeshift: nothing synthesized, nothing deployed:\n${error.message}`);
  process.exit(1);
}
new BakeshiftStack(app, String(app.node.tryGetContext('stackName') ?? 'bakeshift'), {
  env: { region, ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}) },
  services,
  ...(vpc ? { vpc } : {}),
  ...(otlpEndpoint ? { otlpEndpoint: String(otlpEndpoint) } : {}),
  ...(logRetention !== undefined ? { logRetention: logRetention as RetentionDays } : {}),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
