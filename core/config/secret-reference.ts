import * as z from 'zod';

/**
 * Where a secret lives: an SSM parameter (a SecureString, by name or ARN) or a Secrets Manager secret (by its
 * full ARN, the 6-character suffix included, so that the instance role can be granted exactly that secret).
 * A reference is data: it is written into files as JSON, never into a script or a unit.
 */
export type SecretReference =
  | { service: 'ssm'; id: string; region?: string; account?: string; partition?: string; path: string }
  | { service: 'secretsmanager'; id: string; region: string; account: string; partition: string };

const SSM_NAME = /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const SSM_ARN =
  /^arn:(aws[a-z-]*):ssm:([a-z0-9-]+):(\d{12}):parameter\/([A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)$/;
const SECRET_ARN =
  /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

export function parseSecretReference(reference: string): SecretReference | undefined {
  const secret = SECRET_ARN.exec(reference);
  if (secret)
    return {
      service: 'secretsmanager',
      id: reference,
      partition: secret[1] ?? 'aws',
      region: secret[2] ?? '',
      account: secret[3] ?? '',
    };
  const arn = SSM_ARN.exec(reference);
  if (arn)
    return {
      service: 'ssm',
      id: reference,
      partition: arn[1] ?? 'aws',
      region: arn[2] ?? '',
      account: arn[3] ?? '',
      path: arn[4] ?? '',
    };
  if (SSM_NAME.test(reference) && reference.length <= 1011)
    return { service: 'ssm', id: reference, path: reference.replace(/^\//, '') };
  return undefined;
}

/**
 * The ARN IAM authorizes the read of a reference against (GetParameter: the parameter; GetSecretValue: the
 * secret). A parameter named without an ARN is in the instances' own account and region.
 */
export function secretResourceArn(
  reference: SecretReference,
  here: { partition: string; region: string; account: string },
): string {
  if (reference.service === 'secretsmanager' || reference.id.startsWith('arn:')) return reference.id;
  return `arn:${here.partition}:ssm:${here.region}:${here.account}:parameter/${reference.path}`;
}

export const SecretReferenceText = z
  .string()
  .refine((reference) => parseSecretReference(reference) !== undefined, {
    message:
      'must be an SSM parameter name (/app/db-password) or ARN, or the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)',
  });
