import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { describeIssues } from '../core/config/describe-issues.js';
import { InvalidInput } from '../core/errors.js';
import type { JanitorReport } from '../core/releases/run-janitor.js';
import { logger } from './commons/logger.js';

/** What the nightly janitor schedule sends, one schedule per service. */
export const JanitorInput = z
  .object({ service: z.string().min(1), dryRun: z.boolean().default(false) })
  .strict();

/** The nightly janitor's target: removes (or with dryRun reports) what belongs to no release. */
export const createRunJanitor = (ports: {
  janitor: (service: string, options: { dryRun: boolean }) => Promise<JanitorReport>;
}) =>
  middy<unknown, JanitorReport>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const parsed = JanitorInput.safeParse(event);
      if (!parsed.success) throw new InvalidInput(describeIssues('janitor input', parsed.error.issues));
      const { service, dryRun } = parsed.data;
      const report = await ports.janitor(service, { dryRun });
      logger.info(dryRun ? 'janitor dry run' : 'janitor run', { ...report });
      return report;
    });
