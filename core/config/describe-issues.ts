import type { z } from 'zod';

/** Turns zod issues into lines of `source: field: reason`, so a user can find and fix each one. */
export function describeIssues(source: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
      return `${source}: ${field}: ${issue.message}`;
    })
    .join('\n');
}
