import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from '../../core/config/describe-issues.js';
import type { Phase } from '../../core/deployment/deployment-record.js';
import { InvalidInput, POLLING_SIGNALS } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import { logger } from './logger.js';
import {
  emitRejectedRequestSpan,
  endTaskSpan,
  flushTaskSpans,
  observeDeploymentEnd,
  startTaskSpan,
  taskTracing,
} from './task-telemetry.js';

export interface TaskTools {
  /** Logs with this deployment's id and the task's name on every line. */
  log: Logger;
}

export interface TaskSpec<S extends z.ZodType> {
  /** The function's name, as in the ASL placeholder `${<name>FunctionArn}`. */
  name: string;
  input: S;
  deploymentIdOf: (input: z.infer<S>) => string;
  /** Records the phase's start time on the deployment record (the first attempt's time is kept). */
  phase?: { phase: Phase; store: ReleaseStore; clock: Clock };
  /** The step that announces a deployment's end: it emits the deployment's root span, from the record. */
  endsDeployment?: { store: ReleaseStore; clock: Clock };
  /** The step whose refusals (these errors) end a request before it is a deployment: it emits their root span. */
  rejectsRequests?: { errors: readonly string[]; clock: Clock };
}

export type TaskHandler<R> = (event: unknown, context: Context) => Promise<R>;

/**
 * A thin Lambda handler for one Task: Powertools logging, zod parsing that names the bad field, the deployment
 * id on every log line, and failures logged with the step's name before they reach the state machine's Catch.
 */
export function defineTask<S extends z.ZodType, R>(
  spec: TaskSpec<S>,
  run: (input: z.infer<S>, tools: TaskTools) => Promise<R>,
): TaskHandler<R> {
  const handler = middy<unknown, R>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const parsed = spec.input.safeParse(event);
      if (!parsed.success) {
        throw new InvalidInput(describeIssues(`${spec.name} input`, parsed.error.issues));
      }
      const deploymentId = spec.deploymentIdOf(parsed.data);
      const log = logger.createChild({ persistentKeys: { deploymentId, task: spec.name } });
      return traced(spec, deploymentId, parsed.data, log, async () => {
        try {
          if (spec.phase) {
            const { phase, store, clock } = spec.phase;
            await store.updateDeployment(deploymentId, { phases: { [phase]: clock.now().toISOString() } });
          }
          return await run(parsed.data, { log });
        } catch (error) {
          if (POLLING_SIGNALS.has((error as Error).name))
            log.debug(`${spec.name}: ${(error as Error).message}`);
          else log.warn(`${spec.name} failed`, { error: error as Error });
          throw error;
        }
      });
    });
  return handler as TaskHandler<R>;
}

/**
 * Runs a step inside its span when tracing is on (see task-telemetry.ts): the span ends with the step's result,
 * the step announcing the end emits the deployment's root span and metrics, and the export is flushed within a
 * bound before returning.
 */
async function traced<R>(
  spec: Pick<TaskSpec<z.ZodType>, 'name' | 'endsDeployment' | 'rejectsRequests'>,
  deploymentId: string,
  input: unknown,
  log: Logger,
  work: () => Promise<R>,
): Promise<R> {
  // Telemetry never fails a step (a compensation least of all): what it cannot do is logged and left undone.
  const tracing = await quietly(log, 'set up the trace exporter', taskTracing);
  const span =
    tracing &&
    (await quietly(log, 'start a span', async () => startTaskSpan(tracing, spec.name, deploymentId, input)));
  try {
    const result = await work();
    if (tracing && span) await quietly(log, 'end a span', async () => endTaskSpan(tracing, span, undefined));
    if (spec.endsDeployment) {
      const ends = spec.endsDeployment;
      await quietly(log, "record the deployment's end", () =>
        observeDeploymentEnd(ends, deploymentId, tracing, log),
      );
    }
    return result;
  } catch (error) {
    if (tracing && span) await quietly(log, 'end a span', async () => endTaskSpan(tracing, span, error));
    const { name, message } = error as Error;
    const rejects = spec.rejectsRequests;
    if (tracing && rejects?.errors.includes(name))
      await quietly(log, "record the request's refusal", async () =>
        emitRejectedRequestSpan(
          tracing,
          { ...(input as Record<string, unknown>), deploymentId },
          { step: spec.name, error: name, cause: message },
          rejects.clock.now(),
        ),
      );
    throw error;
  } finally {
    if (tracing) await flushTaskSpans(tracing, log);
  }
}

/** Runs a piece of telemetry; a failure is logged as a warning, never thrown. */
async function quietly<T>(log: Logger, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    log.warn(`telemetry: could not ${what}`, { error: (error as Error).message });
    return undefined;
  }
}
