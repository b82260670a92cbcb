import type { OperationName } from '../../core/operations/operation-inputs.js';

export interface OperationRoute {
  method: 'GET' | 'POST';
  /** `:name` segments are input fields; a GET's other fields go in the query, a POST's in a JSON body. */
  path: string;
  /** The status of a success: 202 where something was started and goes on. */
  status: 200 | 202;
}

/**
 * The operator API: one route per operation, shared by the local server and its client (the CLI), and by the
 * AWS decision endpoint for `decide`.
 */
export const OPERATION_ROUTES: Record<OperationName, OperationRoute> = {
  status: { method: 'GET', path: '/status', status: 200 },
  deploy: { method: 'POST', path: '/deployments', status: 202 },
  deployment: { method: 'GET', path: '/deployments/:deploymentId', status: 200 },
  metrics: { method: 'GET', path: '/deployments/:deploymentId/metrics', status: 200 },
  history: { method: 'GET', path: '/history', status: 200 },
  logs: { method: 'GET', path: '/logs', status: 200 },
  events: { method: 'GET', path: '/events', status: 200 },
  decide: { method: 'POST', path: '/deployments/:deploymentId/decision', status: 200 },
  promote: { method: 'POST', path: '/promotions', status: 202 },
  rollback: { method: 'POST', path: '/rollbacks', status: 202 },
  congruence: { method: 'POST', path: '/congruence/:service/:environment', status: 202 },
  janitor: { method: 'POST', path: '/janitor', status: 200 },
  freeze: { method: 'POST', path: '/freezes', status: 200 },
  unfreeze: { method: 'POST', path: '/freezes/lifted', status: 200 },
  freezes: { method: 'GET', path: '/freezes', status: 200 },
  stats: { method: 'GET', path: '/stats', status: 200 },
  overrideFreeze: { method: 'POST', path: '/freeze-overrides', status: 200 },
};

/** The route's path parameters in `pathname`, or undefined when it does not match. */
export function matchPath(route: OperationRoute, pathname: string): Record<string, string> | undefined {
  const want = route.path.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = got[i] ?? '';
    if (segment.startsWith(':')) {
      if (!actual) return undefined;
      params[segment.slice(1)] = decodeURIComponent(actual);
    } else if (segment !== actual) return undefined;
  }
  return params;
}

/** The route's path for an input, and the input's fields that are not in the path. */
export function fillPath(route: OperationRoute, input: Record<string, unknown>) {
  const rest = { ...input };
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  return { path, rest };
}

/** HTTP statuses of the core's named refusals. */
export const REFUSAL_STATUS: Record<string, number> = {
  InvalidInput: 400,
  Unauthenticated: 401,
  NotAllowed: 403,
  UnsupportedMediaType: 415,
  NotFound: 404,
  Refused: 409,
  ConfigInvalid: 409,
  Frozen: 409,
};

/** A status's refusal name: the first listed for it (409 is Refused; a ConfigInvalid comes back as Refused). */
const REFUSAL_OF_STATUS = new Map<number, string>();
for (const [name, status] of Object.entries(REFUSAL_STATUS))
  if (!REFUSAL_OF_STATUS.has(status)) REFUSAL_OF_STATUS.set(status, name);

export const refusalOfStatus = (status: number) => REFUSAL_OF_STATUS.get(status) ?? 'OperatorApiError';
