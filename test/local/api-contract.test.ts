import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATION_INPUTS, type OperationName } from '../../core/operations/operation-inputs.js';
import { OPERATION_ROUTES } from '../../core/operations/operation-routes.js';
import { newApiAccess } from '../../local/api/api-access.js';
import { startApiServer } from '../../local/api/api-server.js';
import { httpOperations } from '../../local/api/http-operations.js';
import { recordingOperations } from '../support/fakes/recording-operations.js';

const fake = recordingOperations({ history: [], decide: { outcome: 'approved' } });
const access = newApiAccess('alice');
const auth = { authorization: `Bearer ${access.token}` };
let api: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  api = await startApiServer({ operations: fake.operations, access }, 0);
});
afterAll(() => api.server.close());
beforeEach(() => {
  fake.calls.length = 0;
  fake.refuse.error = undefined;
});

const post = (path: string, body: string) =>
  fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body,
  });
const get = (path: string) => fetch(`${api.url}${path}`, { headers: auth });

describe('the local API: one contract for server and client (core/operations, local/api)', () => {
  it('the client reaches each operation with its input validated, defaults and the caller’s identity filled in', async () => {
    const client = httpOperations(api.url, access.token);
    await client.history({ service: 'web', environment: 'prod', limit: 5 });
    await client.decide({ deploymentId: 'web-prod-1', approve: true, by: 'alice' });
    await client.rollback({ service: 'web', environment: 'prod', requestedBy: 'whoever' });
    await client.congruence({ service: 'web', environment: 'prod' });
    expect((await get('/history?service=web')).status).toBe(200);
    expect(fake.calls).toEqual([
      { name: 'history', input: { service: 'web', environment: 'prod', limit: 5 } },
      {
        name: 'decide',
        input: { deploymentId: 'web-prod-1', approve: true, by: 'alice', via: 'name bound at up' },
      },
      { name: 'rollback', input: { service: 'web', environment: 'prod', requestedBy: 'alice' } },
      { name: 'congruence', input: { service: 'web', environment: 'prod' } },
      { name: 'history', input: { service: 'web', environment: 'staging', limit: 20 } },
    ]);
  });

  it('stats reaches its operation with the service and the period’s start from the query', async () => {
    const since = '2026-11-01T00:00:00.000Z';
    await httpOperations(api.url, access.token).stats({ service: 'web', since });
    expect((await get('/stats?since=yesterday')).status).toBe(400);
    expect(fake.calls).toEqual([{ name: 'stats', input: { service: 'web', since } }]);
  });

  it('freezes, their lifting and overrides are done as the token’s owner; claiming someone else is refused', async () => {
    const client = httpOperations(api.url, access.token);
    const until = '2026-12-24T00:00:00.000Z';
    await client.freeze({ environment: 'prod', until, reason: 'sales', by: 'alice' });
    await client.unfreeze({ environment: 'prod', by: 'alice' });
    await client.freezes({});
    await client.overrideFreeze({
      service: 'web',
      environment: 'prod',
      version: '2',
      reason: 'fix',
      by: 'alice',
    });
    const via = 'name bound at up';
    expect(fake.calls).toEqual([
      { name: 'freeze', input: { environment: 'prod', until, reason: 'sales', by: 'alice', via } },
      { name: 'unfreeze', input: { environment: 'prod', by: 'alice', via } },
      { name: 'freezes', input: {} },
      {
        name: 'overrideFreeze',
        input: { service: 'web', environment: 'prod', version: '2', reason: 'fix', by: 'alice', via },
      },
    ]);
    const claimed = await post(
      '/freeze-overrides',
      JSON.stringify({ service: 'web', environment: 'prod', version: '2', reason: 'x', by: 'mallory' }),
    );
    expect(claimed.status).toBe(403);
    expect(((await claimed.json()) as { error: string }).error).toContain('not as mallory');
  });

  it.each([
    [
      'a missing field',
      '/deployments',
      '{"service":"web","environment":"prod","version":"1"}',
      'artifactFile',
    ],
    ['a wrong type', '/rollbacks', '{"service":"web","environment":7}', 'environment'],
    ['a string for a boolean', '/deployments/web-1/decision', '{"approve":"yes"}', 'approve'],
    ['an array body', '/janitor', '[]', 'JSON object'],
    ['bad JSON', '/promotions', '{not json', 'not valid JSON'],
    ['a 70 KB body', '/promotions', JSON.stringify({ service: 'x'.repeat(70_000) }), 'bytes'],
  ])('%s (POST %s) is refused with 400 naming it, and nothing runs', async (_, path, body, named) => {
    const response = await post(path, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(named);
    expect(fake.calls).toEqual([]);
  });

  it('an unknown route is 404; a refusal keeps its name and status through the client', async () => {
    expect((await get('/nothing-here')).status).toBe(404);
    fake.refuse.error = 'NotAllowed';
    expect((await post('/deployments/web-1/decision', '{"approve":true}')).status).toBe(403);
    await expect(
      httpOperations(api.url, access.token).decide({ deploymentId: 'web-1', approve: true, by: 'alice' }),
    ).rejects.toMatchObject({ name: 'NotAllowed' });
    fake.refuse.error = 'Refused';
    await expect(httpOperations(api.url, access.token).janitor({ dryRun: true })).rejects.toMatchObject({
      name: 'Refused',
    });
  });

  it('any body, query or path segment on any route: 2xx or 4xx, never 500; a 400 names what is wrong; only schema-valid input runs', async () => {
    const routes = Object.entries(OPERATION_ROUTES) as [OperationName, (typeof OPERATION_ROUTES)['status']][];
    // Malformed, wrongly typed and oversized: any JSON, the operations' own fields with any values, long strings.
    const value = fc.oneof(
      fc.jsonValue(),
      fc.string({ maxLength: 300 }),
      fc.integer(),
      fc.constant('y'.repeat(5000)),
    );
    const FIELDS = [
      'service',
      'environment',
      'version',
      'artifactFile',
      'by',
      'approve',
      'limit',
      'lines',
      'dryRun',
    ];
    const fields = fc.dictionary(fc.constantFrom(...FIELDS, 'from', 'to', 'toVersion', 'after'), value);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fields, fc.jsonValue()),
        fc.string({ minLength: 1, maxLength: 400 }),
        async ([name, route], body, segment) => {
          fake.calls.length = 0;
          const path = route.path.replace(/:(\w+)/g, encodeURIComponent(segment));
          const query = new URLSearchParams(
            typeof body === 'object' && body && !Array.isArray(body)
              ? Object.entries(body).map(([k, v]): [string, string] => [k, JSON.stringify(v)])
              : [['q', JSON.stringify(body)]],
          );
          const response =
            route.method === 'POST' ? await post(path, JSON.stringify(body)) : await get(`${path}?${query}`);
          expect(response.status).toBeLessThan(500);
          if (response.status === 400)
            expect(((await response.json()) as { error: string }).error).toMatch(/^request( body)?\b.*: /);
          for (const call of fake.calls)
            expect(OPERATION_INPUTS[name].safeParse(call.input).success).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
