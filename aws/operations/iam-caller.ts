import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';

/** Who called a function URL with AWS_IAM auth, as Lambda hands it over after checking the SigV4 signature. */
export interface IamCaller {
  /** The caller's ARN: an IAM user's, or an assumed role's session (`arn:aws:sts::…:assumed-role/R/session`). */
  by: string;
  via: 'aws-iam';
  /** Other names the approvers may list the caller by: for a role session, the role's ARN (without its path). */
  aliases: string[];
}

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

export function iamCallerOf(event: LambdaFunctionURLEventWithIAMAuthorizer): IamCaller | undefined {
  const arn = event.requestContext.authorizer?.iam?.userArn;
  if (!arn) return undefined;
  const role = ASSUMED_ROLE.exec(arn);
  return {
    by: arn,
    via: 'aws-iam',
    aliases: role ? [`arn:${role[1]}:iam::${role[2]}:role/${role[3]}`] : [],
  };
}
