import type { MotoShim } from './index.js';

/**
 * moto evaluates a bucket policy without the request's condition context, and a statement whose Condition it
 * cannot verify counts as an explicit deny: the stack's `aws:SecureTransport: false` deny (enforceSSL) then
 * refuses every request. moto gets the policy without its conditional statements.
 */
export const bucketPolicyConditions: MotoShim = {
  operation: 's3:PutBucketPolicy',
  moto: {
    source:
      'moto/iam/access_control.py:493-494 (a statement whose _check_conditions fails returns PermissionResult.DENIED, whatever its Effect); moto/s3/models.py:1152-1159 (get_permission passes no condition values); moto/s3/responses.py:1908 (DENIED answers 403)',
    does: 'a Deny or Allow statement with a Condition denies every request to the bucket',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html',
    says: 'The Condition element (or Condition block) lets you specify conditions for when a policy is in effect.',
  },
  layer: async (call, next) => {
    if (
      call.service !== 's3' ||
      call.method !== 'PUT' ||
      !new URL(call.url, 'http://front').searchParams.has('policy')
    )
      return next(call);
    const policy = JSON.parse(call.body.toString('utf8')) as { Statement: { Condition?: unknown }[] };
    policy.Statement = [policy.Statement].flat().filter((s) => s.Condition === undefined);
    return next({ ...call, body: Buffer.from(JSON.stringify(policy), 'utf8') });
  },
};
