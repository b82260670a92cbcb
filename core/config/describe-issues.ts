import type { z } from 'zod';
import { knownKeysAt } from './known-keys.js';
import { suggestKey } from './suggest-key.js';

const fieldOf = (path: readonly PropertyKey[]) => (path.length === 0 ? '(root)' : path.map(String).join('.'));

/** An unknown field, with the known one it most likely meant ("did you mean"). */
function unknownKeyLines(source: string, issue: z.core.$ZodIssue, schema: z.ZodType): string[] {
  const keys = (issue as { keys?: string[] }).keys ?? [];
  const known = knownKeysAt(schema, issue.path);
  return keys.map((key) => {
    const meant = suggestKey(key, known);
    const hint = meant ? `did you mean "${meant}"?` : `known fields: ${[...known].join(', ') || 'none'}`;
    return `${source}: ${fieldOf([...issue.path, key])}: unknown field (${hint})`;
  });
}

/**
 * Turns zod issues into lines of `source: field: reason`, so a user can find and fix each one. Given the
 * schema, an unknown field names the known one it most likely meant.
 */
export function describeIssues(
  source: string,
  issues: readonly z.core.$ZodIssue[],
  schema?: z.ZodType,
): string {
  return issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys' && schema
        ? unknownKeyLines(source, issue, schema)
        : [`${source}: ${fieldOf(issue.path)}: ${issue.message}`],
    )
    .join('\n');
}
