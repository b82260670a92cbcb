import type { AslState } from './deploy-definition.js';

/**
 * How long a Wait state waits, from its `Seconds` or its `SecondsPath` read in the state's input (a dotted
 * `$.a.b` path, the form deploy.asl.json uses); undefined for another state or another path form. Lets a
 * progress view count a hold down on either target.
 */
export function waitSecondsOf(state: AslState | undefined, input: unknown): number | undefined {
  if (state?.Type !== 'Wait') return undefined;
  if (typeof state.Seconds === 'number') return state.Seconds;
  const path = typeof state.SecondsPath === 'string' ? /^\$((?:\.\w+)+)$/.exec(state.SecondsPath) : null;
  if (!path?.[1]) return undefined;
  let value: unknown = typeof input === 'string' ? safeParse(input) : input;
  for (const key of path[1].slice(1).split('.'))
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'number' ? value : undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
