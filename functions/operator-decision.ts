import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import type { DecisionDeps } from '../core/approvals/decide-approval.js';
import { describeIssues } from '../core/config/describe-issues.js';
import { BakeshiftError } from '../core/errors.js';
import { liftFreeze, overrideFreeze, setFreeze } from '../core/freezes/freeze-operations.js';
import { decideDeployment } from '../core/operations/decide-deployment.js';
import { OPERATION_INPUTS, type OperationInput } from '../core/operations/operation-inputs.js';
import { matchPath, OPERATION_ROUTES, REFUSAL_STATUS } from '../core/operations/operation-routes.js';
import type { ServiceConfigs } from '../core/ports/service-configs.js';
import { logger } from './commons/logger.js';

/** The caller as the endpoint's authentication established it; never a name taken from the request. */
export interface AuthenticatedCaller {
  by: string;
  via: string;
  aliases: string[];
}

/** What the endpoint does: each acts as the caller AWS authenticated, never as a name in the request. */
const ENDPOINT_OPERATIONS = ['decide', 'freeze', 'unfreeze', 'overrideFreeze'] as const;
type EndpointOperation = (typeof ENDPOINT_OPERATIONS)[number];

export type OperatorDecisionDeps = DecisionDeps & {
  configs: ServiceConfigs;
  callerOf: (event: LambdaFunctionURLEventWithIAMAuthorizer) => AuthenticatedCaller | undefined;
};

/** Runs one endpoint operation as the authenticated caller. */
function run(
  deps: OperatorDecisionDeps,
  name: EndpointOperation,
  input: unknown,
  caller: AuthenticatedCaller,
) {
  switch (name) {
    case 'decide':
      return decideDeployment(deps, input as OperationInput<'decide'>, caller.aliases);
    case 'freeze':
      return setFreeze(deps, input as OperationInput<'freeze'>);
    case 'unfreeze':
      return liftFreeze(deps, input as OperationInput<'unfreeze'>);
    case 'overrideFreeze':
      return overrideFreeze(
        deps,
        { ...(input as OperationInput<'overrideFreeze'>), via: caller.via },
        caller.aliases,
      );
  }
}

/** The endpoint operation a request names, and its path parameters. */
function routeOf(event: LambdaFunctionURLEventWithIAMAuthorizer) {
  for (const name of ENDPOINT_OPERATIONS) {
    const route = OPERATION_ROUTES[name];
    const params =
      event.requestContext.http.method === route.method ? matchPath(route, event.rawPath) : undefined;
    if (params) return { name, params };
  }
  return undefined;
}

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
 * The operator's decision endpoint on AWS (a function URL with AWS_IAM auth): approves or rejects
 * (`POST /deployments/<id>/decision`), sets and lifts freezes and overrides them, as the caller AWS
 * authenticated, matched against the environment's approvers where it decides; the same exactly-once decision as
 * Slack's buttons and the local API. Refusals carry the local API's statuses.
 */
export const createOperatorDecision = (deps: OperatorDecisionDeps) =>
  middy<LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .handler(async (event) => {
      const caller = deps.callerOf(event);
      if (!caller) return answer(401, { error: 'no authenticated caller: the URL must use AWS_IAM auth' });
      const route = routeOf(event);
      if (!route) return answer(404, { error: `no operation at ${event.rawPath}` });
      const body = bodyOf(event);
      const fields = typeof body === 'object' && body !== null ? body : {};
      const parsed = OPERATION_INPUTS[route.name].safeParse({
        ...fields,
        ...route.params,
        by: caller.by,
        via: caller.via,
      });
      if (!parsed.success) return answer(400, { error: describeIssues(route.name, parsed.error.issues) });
      const result = await run(deps, route.name, parsed.data, caller).catch(refusal);
      logger.info(route.name, {
        by: caller.by,
        ...(route.params as Record<string, string>),
        ...('error' in result ? result : {}),
      });
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
