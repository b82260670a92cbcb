import { createHash } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';

/**
 * What a deployment's spans say, in OpenTelemetry's semantic conventions where they exist (CI/CD pipeline and
 * deployment attributes, still "development" there: copied here as their docs advise, not imported from the
 * incubating entry point), and under `bakeshift.*` where they do not. This file imports no SDK: every entry
 * loads it; the SDK is loaded only when an endpoint is set (./otlp-tracing.ts).
 */
export const SPAN_ATTRIBUTES = {
  pipelineName: 'cicd.pipeline.name',
  pipelineRunId: 'cicd.pipeline.run.id',
  pipelineResult: 'cicd.pipeline.result',
  taskName: 'cicd.pipeline.task.name',
  taskRunResult: 'cicd.pipeline.task.run.result',
  deploymentId: 'deployment.id',
  deploymentName: 'deployment.name',
  deploymentEnvironment: 'deployment.environment.name',
  deploymentStatus: 'deployment.status',
  service: 'bakeshift.service',
  version: 'bakeshift.version',
  imageId: 'bakeshift.image_id',
  trigger: 'bakeshift.trigger',
  outcome: 'bakeshift.outcome',
  cause: 'bakeshift.cause',
  errorType: 'error.type',
} as const;

/** The endpoint tracing exports to (OTLP/HTTP), when the standard variable sets one. */
export const otlpEndpointOf = (env: NodeJS.ProcessEnv): string | undefined =>
  env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;

const hexDigest = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * A deployment's trace id and root span id, derived from its id: every function of one execution (on AWS each
 * its own Lambda) and every retry names the same trace, with nothing added to the state machine's input.
 */
export function deploymentTraceIds(deploymentId: string): { traceId: string; rootSpanId: string } {
  return {
    traceId: hexDigest(`bakeshift-trace:${deploymentId}`, 32),
    rootSpanId: hexDigest(`bakeshift-root-span:${deploymentId}`, 16),
  };
}

/** What a deployment is, as span attributes: from its request, its record, or a Task's input. */
export function deploymentAttributes(fields: {
  deploymentId: string;
  service?: unknown;
  environment?: unknown;
  version?: unknown;
  trigger?: unknown;
  imageId?: unknown;
}): Attributes {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const attributes: Attributes = {
    [SPAN_ATTRIBUTES.pipelineName]: 'bakeshift-deploy',
    [SPAN_ATTRIBUTES.pipelineRunId]: fields.deploymentId,
    [SPAN_ATTRIBUTES.deploymentId]: fields.deploymentId,
  };
  const optional: [string, unknown][] = [
    [SPAN_ATTRIBUTES.service, fields.service],
    [SPAN_ATTRIBUTES.deploymentName, fields.service],
    [SPAN_ATTRIBUTES.deploymentEnvironment, fields.environment],
    [SPAN_ATTRIBUTES.version, fields.version],
    [SPAN_ATTRIBUTES.trigger, fields.trigger],
    [SPAN_ATTRIBUTES.imageId, fields.imageId],
  ];
  for (const [key, value] of optional) if (text(value)) attributes[key] = text(value);
  return attributes;
}

/** A deployment record's end, as attributes of its root span (semconv results and bakeshift's own words). */
export function outcomeAttributes(record: {
  status: string;
  failure?: { step: string; error: string; cause: string };
}): Attributes {
  const succeeded = record.status === 'succeeded';
  return {
    [SPAN_ATTRIBUTES.outcome]: record.status,
    [SPAN_ATTRIBUTES.pipelineResult]: succeeded ? 'success' : 'failure',
    [SPAN_ATTRIBUTES.deploymentStatus]: succeeded ? 'succeeded' : 'failed',
    ...(record.failure
      ? {
          [SPAN_ATTRIBUTES.cause]: `${record.failure.step}: ${record.failure.error}: ${record.failure.cause}`,
          [SPAN_ATTRIBUTES.errorType]: record.failure.error,
        }
      : {}),
  };
}

/** A step's result in the CI/CD conventions' words: a timeout is one, any other error a failure. */
export const taskRunResultOf = (errorName: string | undefined): string =>
  errorName === undefined ? 'success' : errorName === 'States.Timeout' ? 'timeout' : 'failure';
