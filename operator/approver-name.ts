import { readApiFile } from '../local/api/api-access.js';
import type { Target } from './cli/target.js';
import { UsageError } from './cli/usage-error.js';

/** Who runs the CLI or console: the operating-system user. */
export const requester = () => process.env.USER ?? 'cli';

/**
 * Whom a decision is made as, as the caller states it. Locally the API decides as its token's owner and a
 * claimed name only states whom the caller expects to be (refused otherwise); on AWS the decision endpoint
 * decides as the caller's IAM identity, which nothing the client says can change.
 */
export async function approverName(
  target: Target,
  home: string,
  claimed: string | undefined,
): Promise<string> {
  if (target.kind === 'aws') {
    if (claimed)
      throw new UsageError('--as is not taken on AWS: you decide as the IAM identity your credentials are');
    return 'aws-iam-caller';
  }
  return claimed ?? (await readApiFile(home))?.identity ?? requester();
}
