import { BakeshiftError } from '../../core/errors.js';
import type { OperationName } from '../../core/operations/operation-inputs.js';
import { fillPath, OPERATION_ROUTES, refusalOfStatus } from '../../core/operations/operation-routes.js';
import type { Operations } from '../../core/operations/operations.js';

/** Bounds each call: a control plane that accepts a connection but never answers must not hang the CLI. */
const CALL_TIMEOUT_MS = 30_000;

/**
 * The operations of a control plane at `baseUrl`, over its local API: what the CLI calls. A refusal comes back
 * as the named error the server threw (Refused, NotFound, NotAllowed, InvalidInput), with its message.
 */
export function httpOperations(baseUrl: string, token: string): Operations {
  const call = async (name: OperationName, input: Record<string, unknown>) => {
    const route = OPERATION_ROUTES[name];
    const { path, rest } = fillPath(route, input);
    const query = new URLSearchParams(
      Object.entries(rest).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])),
    );
    const url = `${baseUrl}${path}${route.method === 'GET' && query.size ? `?${query}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: route.method,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        headers: {
          authorization: `Bearer ${token}`,
          ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(route.method === 'POST' ? { body: JSON.stringify(rest) } : {}),
      });
    } catch (error) {
      throw new BakeshiftError(
        'Unreachable',
        `the control plane at ${baseUrl} does not answer (${(error as Error).message}): is \`bakeshift up\` running?`,
      );
    }
    const result = (await response.json()) as { error?: string };
    if (!response.ok)
      throw new BakeshiftError(
        refusalOfStatus(response.status),
        result.error ?? `${route.method} ${path} answered ${response.status}`,
      );
    return result;
  };
  return Object.fromEntries(
    Object.keys(OPERATION_ROUTES).map((name) => [
      name,
      (input: Record<string, unknown>) => call(name as OperationName, input),
    ]),
  ) as unknown as Operations;
}
