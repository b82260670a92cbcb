/** Tags on everything the orchestrator creates: the janitor and IAM conditions find resources by them. */
export const TAG = {
  managedBy: 'managed-by',
  service: 'bakeshift:service',
  environment: 'bakeshift:environment',
  version: 'bakeshift:version',
  bakeKey: 'bakeshift:bake-key',
  bakeId: 'bakeshift:bake-id',
  deployment: 'bakeshift:deployment',
  fleet: 'bakeshift:fleet',
  role: 'bakeshift:role',
  healthPath: 'bakeshift:health-path',
} as const;

export const MANAGED_BY_VALUE = 'bakeshift';

export type Tag = { Key: string; Value: string };

export function tags(values: Partial<Record<keyof typeof TAG, string>>): Tag[] {
  return [
    { Key: TAG.managedBy, Value: MANAGED_BY_VALUE },
    ...Object.entries(values).flatMap(([key, value]) =>
      value === undefined ? [] : [{ Key: TAG[key as keyof typeof TAG], Value: value }],
    ),
  ];
}

export function tagValue(
  list: { Key?: string; Value?: string }[] | undefined,
  key: string,
): string | undefined {
  return list?.find((t) => t.Key === key)?.Value;
}
