import type { AslState } from './deploy-definition.js';

/**
 * How long a Wait state waits: its `Seconds`, its `SecondsPath`, or its `TimestampPath` less the time it was
 * entered (`enteredAtMs`), each path read in the state's input (a dotted `$.a.b` path, the form deploy.asl.json
 * uses); undefined for another state or another path form. Lets a progress view count a hold, or the wait for a
 * deployment window, down on either target.
 */
export function waitSecondsOf(
  state: AslState | undefined,
  input: unknown,
  enteredAtMs?: number,
): number | undefined {
  if (state?.Type !== 'Wait') return undefined;
  if (typeof state.Seconds === 'number') return state.Seconds;
  const seconds = readPath(state.SecondsPath, input);
  if (typeof seconds === 'number') return seconds;
  const until = readPath(state.TimestampPath, input);
  if (typeof until !== 'string' || enteredAtMs === undefined) return undefined;
  const untilMs = Date.parse(until);
  return Number.isNaN(untilMs) ? undefined : Math.max(0, Math.round((untilMs - enteredAtMs) / 1000));
}

function readPath(statePath: unknown, input: unknown): unknown {
  const path = typeof statePath === 'string' ? /^\$((?:\.\w+)+)$/.exec(statePath) : null;
  if (!path?.[1]) return undefined;
  let value: unknown = typeof input === 'string' ? safeParse(input) : input;
  for (const key of path[1].slice(1).split('.'))
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
