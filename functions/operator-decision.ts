import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import * as z from 'zod';
import type { DecisionDeps } from '../core/approvals/decide-approval.js';
import { describeIssues } from '../core/config/describe-issues.js';
import { BakeshiftError } from '../core/errors.js';
import { decideDeployment } from '../core/operations/decide-deployment.js';
import { matchPath, OPERATION_ROUTES, REFUSAL_STATUS } from '../core/operations/operation-routes.js';
import { logger } from './commons/logger.js';

/** The caller as the endpoint's authentication established it; never a name taken from the request. */
export interface AuthenticatedCaller {
  by: string;
  via: string;
  aliases: string[];
}

const DecisionBody = z.object({ approve: z.boolean() }).strict();

const answer = (statusCode: number, body: unknown): LambdaFunctionURLResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function bodyOf(event: LambdaFunctionURLEventWithIAMAuthorizer): unknown {
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

/**
 * The operator's decision endpoint on AWS (`POST /deployments/<id>/decision`, a function URL with AWS_IAM auth):
 * approves or rejects as the caller AWS authenticated, matched against the environment's approvers, with the
 * same exactly-once decision as Slack's buttons and the local API. Refusals carry the local API's statuses.
 */
export const createOperatorDecision = (
  deps: DecisionDeps & {
    callerOf: (event: LambdaFunctionURLEventWithIAMAuthorizer) => AuthenticatedCaller | undefined;
  },
) =>
  middy<LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const caller = deps.callerOf(event);
      if (!caller) return answer(401, { error: 'no authenticated caller: the URL must use AWS_IAM auth' });
      const route = OPERATION_ROUTES.decide;
      const params =
        event.requestContext.http.method === route.method ? matchPath(route, event.rawPath) : undefined;
      if (!params?.deploymentId) return answer(404, { error: `no operation at ${event.rawPath}` });
      const parsed = DecisionBody.safeParse(bodyOf(event));
      if (!parsed.success) return answer(400, { error: describeIssues('decision', parsed.error.issues) });
      const input = {
        deploymentId: params.deploymentId,
        approve: parsed.data.approve,
        by: caller.by,
        via: caller.via,
      };
      const result = await decideDeployment(deps, input, caller.aliases).catch(refusal);
      logger.info('decision', { ...input, ...result });
      return answer(
        'error' in result ? result.status : 200,
        'error' in result ? { error: result.error } : result,
      );
    });

/** A named refusal as its status and message; anything else is a fault and is thrown on. */
function refusal(error: unknown): { status: number; error: string } {
  const status = error instanceof BakeshiftError ? REFUSAL_STATUS[error.name] : undefined;
  if (!status) throw error;
  return { status, error: (error as Error).message };
}
