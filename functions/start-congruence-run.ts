import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { describeIssues } from '../core/config/describe-issues.js';
import { startCongruenceRun } from '../core/congruence/start-congruence-run.js';
import { InvalidInput } from '../core/errors.js';
import type { DeploymentStarter } from '../core/ports/deployment-starter.js';
import type { ImageCatalog } from '../core/ports/image-baker.js';
import type { Ports } from '../core/ports/index.js';
import { logger } from './commons/logger.js';

/** What each environment's EventBridge Scheduler schedule sends. */
export const CongruenceScheduleInput = z
  .object({ service: z.string().min(1), environment: z.string().min(1) })
  .strict();

export type CongruenceRunSummary =
  | { started: true; deploymentId: string; driftFindings: number }
  | { started: false; reason: string };

/**
 * The nightly schedule's target: reports drift and starts the congruence deployment (see startCongruenceRun),
 * so replaceWhenUnchanged is decided here, before any execution exists, as the local scheduler does.
 */
export const createStartCongruenceRun = (
  ports: Pick<Ports, 'configs' | 'store' | 'fleets' | 'health' | 'notifier' | 'clock'> & {
    baker: ImageCatalog;
    starter: DeploymentStarter;
  },
) =>
  middy<unknown, CongruenceRunSummary>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const parsed = CongruenceScheduleInput.safeParse(event);
      if (!parsed.success)
        throw new InvalidInput(describeIssues('congruence schedule input', parsed.error.issues));
      const run = await startCongruenceRun(ports, parsed.data);
      if (!run.started) {
        logger.info('no congruence run', { ...parsed.data, reason: run.reason, drift: run.drift });
        return { started: false, reason: run.reason };
      }
      if (!run.announced)
        logger.warn('the drift report was not announced', { deploymentId: run.deploymentId });
      logger.info('congruence run started', { deploymentId: run.deploymentId, drift: run.drift });
      return { started: true, deploymentId: run.deploymentId, driftFindings: run.drift.findings.length };
    });
