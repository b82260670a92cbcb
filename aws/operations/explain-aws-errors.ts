import { BakeshiftError, NotAllowed } from '../../core/errors.js';
import type { Operations } from '../../core/operations/operations.js';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** An AWS SDK error as what is missing and what to do about it; other errors unchanged. */
export function explainAwsError(operation: string, error: Error): Error {
  const { name, message } = error;
  if (
    name === 'CredentialsProviderError' ||
    name === 'ExpiredTokenException' ||
    name === 'UnrecognizedClientException'
  )
    return new BakeshiftError(
      'Unauthenticated',
      `no usable AWS credentials (${message.split('\n')[0]}): set AWS_PROFILE (after \`aws configure\` or \`aws sso login\`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  if (/region is missing/i.test(message))
    return new BakeshiftError(
      'Unauthenticated',
      'no AWS region: give --region, or set AWS_REGION or your profile’s region',
    );
  if (ACCESS_DENIED.has(name))
    return new NotAllowed(
      `${operation}: AWS refused (${message}); attach the stack's ViewerPolicyArn, DeployerPolicyArn or ApproverPolicyArn output to your identity`,
    );
  return error;
}

/** The operations, with every AWS error they throw explained (explainAwsError). */
export function explainingAwsErrors(operations: Operations): Operations {
  return new Proxy(operations, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          throw explainAwsError(String(property), error as Error);
        }
      };
    },
  });
}
