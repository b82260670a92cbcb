import type { Span } from '@opentelemetry/api';
import type { DeploymentRequest } from '../../core/deployment/deployment-request.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { DeploymentTracing, StepEnd } from '../../functions/commons/otlp-tracing.js';
import { deploymentAttributes, outcomeAttributes, SPAN_ATTRIBUTES } from '../../functions/commons/tracing.js';
import type { EventLog, LocalExecution } from '../engine/local-execution.js';

interface OpenStep {
  span: Span;
  /** The last attempt's error: the step's result if it is caught or ends the execution. */
  failed?: { error: string; cause: string };
}

/**
 * Local mode's traces, from the engine's step events: the execution is the deployment's root span, each Task
 * state entered a span under it (each failed attempt and retry an event on it; the engine enters a state once
 * and retries inside it), and the record's end (outcome, cause, image) is set on the root when the execution
 * ends. Resolves when the root span has ended.
 */
export function traceExecution(
  tracing: DeploymentTracing,
  execution: LocalExecution,
  store: ReleaseStore,
): Promise<void> {
  const request = execution.input as DeploymentRequest;
  const attributes = deploymentAttributes(request);
  const steps = new Map<string, OpenStep>();
  let root: Span | undefined;
  const endStep = (name: string, endTime?: number) => {
    const step = steps.get(name);
    if (!step) return;
    steps.delete(name);
    tracing.endStep(step.span, { ...step.failed, ...(endTime !== undefined ? { endTime } : {}) });
  };
  const onEvent = (event: EventLog) => {
    if (event.type === 'ExecutionStarted') {
      root = tracing.startDeployment(request.deploymentId, attributes, event.timestamp);
      return;
    }
    if (!('state' in event) || event.state.type !== 'Task') return;
    const name = event.state.name;
    const step = steps.get(name);
    switch (event.type) {
      case 'StateEntered':
        steps.set(name, {
          span: tracing.startStep(request.deploymentId, name, attributes, event.timestamp),
        });
        return;
      case 'StateFailed':
        if (!step) return;
        step.failed = { error: event.Error, cause: String(event.Cause ?? '') };
        step.span.addEvent('attempt failed', { [SPAN_ATTRIBUTES.errorType]: event.Error }, event.timestamp);
        return;
      case 'StateRetried':
        if (!step) return;
        step.failed = undefined;
        step.span.addEvent('retry', { attempt: event.retry.attempt }, event.timestamp);
        return;
      case 'StateExited':
        return endStep(name, event.timestamp);
      default:
        return;
    }
  };
  const unsubscribe = execution.onEvent(onEvent);
  return execution.outcome.then(async (outcome) => {
    unsubscribe();
    for (const name of [...steps.keys()]) endStep(name);
    const record = await store.getDeployment(request.deploymentId).catch(() => undefined);
    if (!root) return;
    root.setAttributes(
      record
        ? { ...deploymentAttributes(record), ...outcomeAttributes(record) }
        : { [SPAN_ATTRIBUTES.outcome]: outcome.status.toLowerCase() },
    );
    const end: StepEnd =
      outcome.status === 'SUCCEEDED'
        ? {}
        : { error: outcome.error ?? outcome.status, cause: outcome.cause ?? '' };
    tracing.endDeployment(root, end);
  });
}
