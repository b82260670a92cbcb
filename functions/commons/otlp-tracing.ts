import {
  type Attributes,
  context,
  type Span,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { deploymentTraceIds, SPAN_ATTRIBUTES, taskRunResultOf } from './tracing.js';

/** How long an export may take; a step never waits longer than its flush bound for it (see flush). */
const EXPORT_TIMEOUT_MS = 2_000;

/** Random ids, except the ones pinned for the next span (a deployment's root span has derived ids). */
class PinnableIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  pinned: { traceId: string; spanId: string } | undefined;
  generateTraceId = () => this.pinned?.traceId ?? this.random.generateTraceId();
  generateSpanId = () => this.pinned?.spanId ?? this.random.generateSpanId();
}

export interface StepEnd {
  /** The error's name, when the step failed (the States error the Catch sees). */
  error?: string;
  cause?: string;
  endTime?: TimeInput;
}

/**
 * A deployment's spans, exported over OTLP/HTTP (JSON) in batches: a root span per deployment with derived ids
 * (./tracing.ts) and a span per step under it. Nothing here throws into a step: export errors are counted
 * by the SDK's diagnostics and flush() swallows and reports them.
 */
export class DeploymentTracing {
  private readonly ids = new PinnableIds();
  private readonly provider: BasicTracerProvider;
  private readonly tracer;

  constructor(endpoint: string, serviceName = 'bakeshift') {
    const exporter = new OTLPTraceExporter({
      url: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
      timeoutMillis: EXPORT_TIMEOUT_MS,
    });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
      idGenerator: this.ids,
      spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
    });
    this.tracer = this.provider.getTracer('bakeshift');
  }

  /** The deployment's root span, with its derived trace and span ids. */
  startDeployment(deploymentId: string, attributes: Attributes, startTime?: TimeInput): Span {
    const { traceId, rootSpanId } = deploymentTraceIds(deploymentId);
    this.ids.pinned = { traceId, spanId: rootSpanId };
    try {
      return this.tracer.startSpan(`deploy ${attributes[SPAN_ATTRIBUTES.deploymentName] ?? ''}`.trim(), {
        root: true,
        attributes,
        ...(startTime !== undefined ? { startTime } : {}),
      });
    } finally {
      this.ids.pinned = undefined;
    }
  }

  /** A step's span, a child of its deployment's root span wherever (and in whichever process) it runs. */
  startStep(deploymentId: string, step: string, attributes: Attributes, startTime?: TimeInput): Span {
    const { traceId, rootSpanId } = deploymentTraceIds(deploymentId);
    const parent = trace.setSpanContext(context.active(), {
      traceId,
      spanId: rootSpanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    return this.tracer.startSpan(
      step,
      {
        attributes: { ...attributes, [SPAN_ATTRIBUTES.taskName]: step },
        ...(startTime !== undefined ? { startTime } : {}),
      },
      parent,
    );
  }

  /** Ends a step's span with its result: OK, or ERROR with the error's name and cause. */
  endStep(span: Span, end: StepEnd = {}): void {
    span.setAttribute(SPAN_ATTRIBUTES.taskRunResult, taskRunResultOf(end.error));
    endWithStatus(span, end);
  }

  /** Ends a deployment's root span (its outcome attributes are set by the caller, from the record). */
  endDeployment(span: Span, end: StepEnd = {}): void {
    endWithStatus(span, end);
  }

  /** Exports what is pending, waiting at most `boundMs`; never throws (a step must not fail for its trace). */
  async flush(boundMs: number, onError: (error: Error) => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
    });
    try {
      await Promise.race([this.provider.forceFlush(), bound]);
    } catch (error) {
      onError(error as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  async shutdown(boundMs: number, onError: (error: Error) => void): Promise<void> {
    await this.flush(boundMs, onError);
    await this.provider.shutdown().catch(onError);
  }
}

function endWithStatus(span: Span, end: StepEnd): void {
  if (end.error === undefined) span.setStatus({ code: SpanStatusCode.OK });
  else {
    span.setAttribute(SPAN_ATTRIBUTES.errorType, end.error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${end.error}: ${end.cause ?? ''}` });
  }
  span.end(end.endTime);
}
