import type { Logger } from '@aws-lambda-powertools/logger';
import type { Span } from '@opentelemetry/api';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import { POLLING_SIGNALS } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { DeploymentTracing } from './otlp-tracing.js';
import { deploymentAttributes, otlpEndpointOf, outcomeAttributes } from './tracing.js';

/** How long a Task waits, at most, for its spans to be exported before it returns (the step never fails for it). */
export const TRACE_FLUSH_BOUND_MS = 1_500;

let configured: Promise<DeploymentTracing | undefined> | undefined;
let metricsOn: boolean | undefined;

/** Deployment metrics (EMF on standard output) are published on Lambda, or where a test turns them on. */
export function publishMetricsOnEnd(on: boolean | undefined): void {
  metricsOn = on;
}
const deploymentMetricsOn = () => metricsOn ?? Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/**
 * Where Task handlers export their spans. On Lambda (AWS_LAMBDA_FUNCTION_NAME is set by its runtime) with
 * OTEL_EXPORTER_OTLP_ENDPOINT set, the SDK is imported on first use only: without an endpoint an entry pays no
 * import time for it. Local mode traces from the engine's events instead (local/control-plane/trace-execution.ts);
 * tests point handlers at a receiver with traceTasksTo.
 */
export function taskTracing(): Promise<DeploymentTracing | undefined> {
  if (configured) return configured;
  const endpoint = process.env.AWS_LAMBDA_FUNCTION_NAME ? otlpEndpointOf(process.env) : undefined;
  configured = endpoint ? traceTasksTo(endpoint) : Promise.resolve(undefined);
  return configured;
}

/** Sends Task spans to an endpoint (undefined: none). Returns the tracing, to flush or shut down. */
export function traceTasksTo(endpoint: string | undefined): Promise<DeploymentTracing | undefined> {
  configured = endpoint
    ? import('./otlp-tracing.js').then(({ DeploymentTracing }) => new DeploymentTracing(endpoint))
    : Promise.resolve(undefined);
  return configured;
}

/** A step's span: the deployment's fields that the Task's input carries, under the deployment's root. */
export function startTaskSpan(
  tracing: DeploymentTracing,
  step: string,
  deploymentId: string,
  input: unknown,
): Span {
  const fields = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  return tracing.startStep(deploymentId, step, deploymentAttributes({ ...fields, deploymentId }));
}

/** Ends a step's span: a polling signal (not healthy yet, still warm) is a normal attempt, not a failure. */
export function endTaskSpan(tracing: DeploymentTracing, span: Span, error: unknown): void {
  const { name, message } = (error ?? {}) as Partial<Error>;
  if (error === undefined || (name !== undefined && POLLING_SIGNALS.has(name))) {
    if (name) span.addEvent('poll', { 'bakeshift.signal': name });
    tracing.endStep(span);
  } else tracing.endStep(span, { error: name ?? 'Error', cause: message ?? String(error) });
}

/**
 * The deployment's root span, emitted by the step that announces its end: it spans the request to now, with the
 * record's outcome, and has the ids every step's span named as their parent.
 */
export function emitDeploymentSpan(tracing: DeploymentTracing, record: DeploymentRecord, now: Date): void {
  const root = tracing.startDeployment(
    record.deploymentId,
    deploymentAttributes(record),
    new Date(record.requestedAt),
  );
  root.setAttributes(outcomeAttributes(record));
  tracing.endDeployment(root, {
    endTime: now,
    ...(record.status === 'succeeded'
      ? {}
      : { error: record.failure?.error ?? record.status, cause: record.failure?.cause ?? '' }),
  });
}

/**
 * A request refused before it became a deployment (the ASL's RequestRejected: nothing recorded, no step announces
 * its end): its root span, from the request, so that its trace has a root as any deployment's does.
 */
export function emitRejectedRequestSpan(
  tracing: DeploymentTracing,
  request: { deploymentId: string; requestedAt?: unknown } & Record<string, unknown>,
  refusal: { step: string; error: string; cause: string },
  now: Date,
): void {
  const requestedAt = typeof request.requestedAt === 'string' ? new Date(request.requestedAt) : now;
  const root = tracing.startDeployment(request.deploymentId, deploymentAttributes(request), requestedAt);
  root.setAttributes(outcomeAttributes({ status: 'rejected', failure: refusal }));
  tracing.endDeployment(root, { endTime: now, error: refusal.error, cause: refusal.cause });
}

/** Exports what the invocation traced, bounded; an export error is logged, never thrown. */
export async function flushTaskSpans(tracing: DeploymentTracing, log: Logger): Promise<void> {
  await tracing.flush(TRACE_FLUSH_BOUND_MS, (error) =>
    log.warn('trace export failed', { error: error.message }),
  );
}

/**
 * A deployment has ended (its outcome announced): its root span, when tracing, and its metrics, on Lambda. Neither
 * fails the step: a metrics error is logged.
 */
export async function observeDeploymentEnd(
  end: { store: ReleaseStore; clock: Clock },
  deploymentId: string,
  tracing: DeploymentTracing | undefined,
  log: Logger,
): Promise<void> {
  if (!tracing && !deploymentMetricsOn()) return;
  const record = await end.store.getDeployment(deploymentId).catch(() => undefined);
  if (!record) return;
  const now = end.clock.now();
  if (tracing) emitDeploymentSpan(tracing, record, now);
  if (!deploymentMetricsOn()) return;
  try {
    const { publishDeploymentMetrics } = await import('./deployment-metrics.js');
    publishDeploymentMetrics(record, now);
  } catch (error) {
    log.warn('deployment metrics not published', { error: (error as Error).message });
  }
}
