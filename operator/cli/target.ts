import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { UsageError } from './usage-error.js';

/** Where the operator's commands go: the local control plane of a home, or a bakeshift stack on AWS. */
export const Target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('aws'),
    /** The stack's region; absent: the SDK's (AWS_REGION, the profile's). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
      .optional(),
  }),
]);
export type Target = z.infer<typeof Target>;

const targetFile = (home: string) => join(home, 'target.json');

/** `--target` (and `--region`) when given, else the home's saved target, else local. */
export async function resolveTarget(
  home: string,
  flags: Record<string, string | boolean | undefined>,
): Promise<Target> {
  const given = flags.target;
  if (given !== undefined) {
    const parsed = Target.safeParse({ kind: given, ...(flags.region ? { region: flags.region } : {}) });
    if (!parsed.success)
      throw new UsageError(`--target ${String(given)}: expected local or aws (with an optional --region)`);
    return parsed.data;
  }
  const saved = await readFile(targetFile(home), 'utf8').catch(() => undefined);
  if (!saved) return { kind: 'local' };
  const parsed = Target.safeParse(JSON.parse(saved));
  if (!parsed.success)
    throw new UsageError(
      `${targetFile(home)}: not a target (run \`bakeshift target local\` or \`target aws\`)`,
    );
  return flags.region && parsed.data.kind === 'aws'
    ? { ...parsed.data, region: String(flags.region) }
    : parsed.data;
}

/** Saves the target the home's commands go to from now on. */
export async function saveTarget(home: string, target: Target): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(targetFile(home), `${JSON.stringify(target)}\n`);
}
