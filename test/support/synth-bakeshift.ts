import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BakeshiftStack, type ExistingVpc } from '../../infra/bakeshift-stack.js';
import { loadServices } from '../../infra/load-services.js';

export const EXAMPLE_SERVICES = new URL('../../infra/services', import.meta.url).pathname;

/**
 * Synthesizes the stack as `cdk synth` does (esbuild bundles every function unless `bundle: false`), with
 * cdk-nag's AwsSolutions checks: an unacknowledged finding makes synth throw.
 */
export async function synthBakeshift(
  options: {
    bundle?: boolean;
    servicesDir?: string;
    /** The stack's region (default eu-west-1). */
    region?: string;
    /** An existing VPC (the `vpc` context value) instead of a new one. */
    vpc?: ExistingVpc;
    /** Where the functions export traces (the `otlpEndpoint` context value). */
    otlpEndpoint?: string;
    /** Changes to the stack before synth (e.g. a deliberate cdk-nag finding). */
    extend?: (stack: BakeshiftStack) => void;
  } = {},
) {
  const outdir = mkdtempSync(join(tmpdir(), 'bakeshift-cdk-'));
  const app = new App({
    outdir,
    // Without bundling, CDK stages a placeholder asset: for the tests that only read the template.
    ...(options.bundle === false ? { context: { 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  const stack = new BakeshiftStack(app, 'bakeshift', {
    env: { region: options.region ?? 'eu-west-1' },
    services: await loadServices(options.servicesDir ?? EXAMPLE_SERVICES),
    ...(options.vpc ? { vpc: options.vpc } : {}),
    ...(options.otlpEndpoint ? { otlpEndpoint: options.otlpEndpoint } : {}),
  });
  options.extend?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return { app, stack, assembly, outdir, template: Template.fromStack(stack) };
}
