import type { PreTrafficConfig } from '../config/service-config.js';
import type { PreTrafficResult } from '../deployment/deployment-record.js';

export type HttpCheck = PreTrafficConfig['checks'][number];

/** What a check got back from green's preview endpoint. */
export interface CheckedResponse {
  status: number;
  body: string;
  latencyMs: number;
}

/** A JSON value's field at a dot-separated path (`data.items.0.id`); undefined when absent. */
function fieldAt(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
      value,
    );
}

function jsonFieldFailure(check: HttpCheck, body: string): string | undefined {
  if (!check.jsonField) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  const found = fieldAt(parsed, check.jsonField.path);
  return found === check.jsonField.equals
    ? undefined
    : `${check.jsonField.path} is ${JSON.stringify(found)}, not ${JSON.stringify(check.jsonField.equals)}`;
}

/** Judges one check's response: status, body, JSON field and latency, each failure saying what it saw. */
export function judgeCheck(check: HttpCheck, response: CheckedResponse): PreTrafficResult {
  const seen = `${check.method} ${check.path}: ${response.status} in ${Math.round(response.latencyMs)} ms`;
  const failure =
    (response.status !== check.expectStatus ? `expected status ${check.expectStatus}` : undefined) ??
    (check.bodyContains && !response.body.includes(check.bodyContains)
      ? `the body does not contain ${JSON.stringify(check.bodyContains)}`
      : undefined) ??
    jsonFieldFailure(check, response.body) ??
    (check.maxLatencyMs !== undefined && response.latencyMs > check.maxLatencyMs
      ? `slower than ${check.maxLatencyMs} ms`
      : undefined);
  return { name: check.name, passed: !failure, detail: failure ? `${seen}: ${failure}` : seen };
}
