import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import type { AuthenticatedCaller } from '../../functions/operator-decision.js';

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/**
 * Who called a function URL with AWS_IAM auth, as Lambda hands it over after checking the SigV4 signature: the
 * caller's ARN (an IAM user's, or an assumed role's session `arn:aws:sts::…:assumed-role/R/session`) and, for a
 * role session, the role's ARN without its path, which the approvers may list instead.
 */
export function iamCallerOf(event: LambdaFunctionURLEventWithIAMAuthorizer): AuthenticatedCaller | undefined {
  const arn = event.requestContext.authorizer?.iam?.userArn;
  if (!arn) return undefined;
  const role = ASSUMED_ROLE.exec(arn);
  return {
    by: arn,
    via: 'aws-iam',
    aliases: role ? [`arn:${role[1]}:iam::${role[2]}:role/${role[3]}`] : [],
  };
}
