import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newApiAccess, readApiFile, writeApiFile } from '../../local/api/api-access.js';
import { startApiServer } from '../../local/api/api-server.js';
import { recordingOperations } from '../support/fakes/recording-operations.js';

const fake = recordingOperations({ janitor: [], decide: { outcome: 'approved' } });
const access = newApiAccess('alice');
let api: Awaited<ReturnType<typeof startApiServer>>;
let port: number;
beforeAll(async () => {
  api = await startApiServer({ operations: fake.operations, access }, 0);
  port = Number(new URL(api.url).port);
});
afterAll(() => api.server.close());
beforeEach(() => {
  fake.calls.length = 0;
});

/** A raw request, every header as given (fetch would not let a test set Host). */
function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; error: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, error: (JSON.parse(text) as { error: string }).error }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
const owner = () => ({ host: `127.0.0.1:${port}`, authorization: `Bearer ${access.token}` });

describe('only its owner drives a local control plane (local/api/request-guard.ts)', () => {
  it('a cross-site "simple" request (text/plain, a foreign Origin) is refused and runs nothing', async () => {
    const fromPage = await send(
      'POST',
      '/janitor',
      { host: `127.0.0.1:${port}`, origin: 'http://evil.example', 'content-type': 'text/plain' },
      '{"dryRun":false}',
    );
    expect(fromPage).toMatchObject({
      status: 403,
      error: expect.stringContaining('Origin "http://evil.example"'),
    });
    const textPlain = await send('POST', '/janitor', { ...owner(), 'content-type': 'text/plain' }, '{}');
    expect(textPlain).toMatchObject({ status: 415, error: expect.stringContaining('application/json') });
    expect(fake.calls).toEqual([]);
  });

  it('a foreign Host (DNS rebinding) is refused, even with the token', async () => {
    const rebound = await send('GET', '/status', { ...owner(), host: `evil.example:${port}` });
    expect(rebound).toMatchObject({ status: 403, error: expect.stringContaining('Host "evil.example') });
    expect((await send('GET', '/status', { ...owner(), host: `localhost:${port}` })).status).toBe(200);
    expect(fake.calls.map((c) => c.name)).toEqual(['status']);
  });

  it('no token, a wrong token or another control plane’s token: 401, nothing runs', async () => {
    const other = newApiAccess('bob');
    const host = { host: `127.0.0.1:${port}` };
    expect(await send('GET', '/status', host)).toMatchObject({
      status: 401,
      error: expect.stringContaining('no token'),
    });
    expect(await send('GET', '/status', { ...host, authorization: 'Bearer nope' })).toMatchObject({
      status: 401,
    });
    expect(await send('GET', '/status', { ...host, authorization: `Bearer ${other.token}` })).toMatchObject({
      status: 401,
      error: expect.stringContaining('wrong token'),
    });
    expect(fake.calls).toEqual([]);
  });

  it('a decision is made as the token’s owner: naming someone else is refused, nothing runs', async () => {
    const json = { ...owner(), 'content-type': 'application/json' };
    const asBob = await send('POST', '/deployments/web-1/decision', json, '{"approve":true,"by":"bob"}');
    expect(asBob).toMatchObject({ status: 403, error: expect.stringContaining('made as alice') });
    expect(fake.calls).toEqual([]);
    expect((await send('POST', '/deployments/web-1/decision', json, '{"approve":true}')).status).toBe(200);
    expect(fake.calls).toEqual([
      {
        name: 'decide',
        input: { deploymentId: 'web-1', approve: true, by: 'alice', via: 'name bound at up' },
      },
    ]);
  });

  it('api.json is readable by its owner only, in a home only its owner enters', async () => {
    const home = await mkdtemp(join(tmpdir(), 'bakeshift-home-'));
    try {
      await writeApiFile(home, { url: api.url, pid: process.pid, ...access });
      expect((await stat(join(home, 'api.json'))).mode & 0o777).toBe(0o600);
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      expect(await readApiFile(home)).toMatchObject({ token: access.token, identity: 'alice' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
