import type { z } from 'zod';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at this one step below `schema` may be validated by (a union's options all count). */
function childSchemas(schema: z.ZodType, step: PropertyKey): z.ZodType[] {
  const def = defOf(schema);
  const wrapped = def.innerType ?? def.in;
  if (wrapped) return childSchemas(wrapped, step);
  if (def.options) return def.options.flatMap((option) => childSchemas(option, step));
  if (def.type === 'object') {
    const child = def.shape?.[String(step)];
    return child ? [child] : [];
  }
  if (def.type === 'record' && def.valueType) return [def.valueType];
  if (def.type === 'array' && def.element) return [def.element];
  return [];
}

function objectKeys(schema: z.ZodType): string[] {
  const def = defOf(schema);
  const wrapped = def.innerType ?? def.in;
  if (wrapped) return objectKeys(wrapped);
  if (def.options) return def.options.flatMap(objectKeys);
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** The field names a (strict) object at `path` of `schema` accepts: what a misspelt key is compared with. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): Set<string> {
  let schemas = [schema];
  for (const step of path) schemas = schemas.flatMap((s) => childSchemas(s, step));
  return new Set(schemas.flatMap(objectKeys));
}
