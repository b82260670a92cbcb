import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreTraffic } from '../../core/config/service-config.js';
import { LocalPreTrafficTests } from '../../local/analysis/local-pre-traffic-tests.js';

/** A stand-in for green's preview: /ok answers JSON, /slow answers after 300 ms, /broken 500. */
let server: Server;
let previewUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 300);
    if (req.url === '/broken') return void res.writeHead(500).end('internal error');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: { version: '2.0.0' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  previewUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const run = (tests: unknown) =>
  new LocalPreTrafficTests().run({
    previewUrl,
    deploymentId: 'web-staging-0123',
    service: 'web',
    environment: 'staging',
    version: '2.0.0',
    tests: PreTraffic.parse(tests),
  });

describe('pre-traffic tests on this machine (local/analysis/local-pre-traffic-tests.ts)', () => {
  it('judges status, body, a JSON field and latency, each failure saying what it saw', async () => {
    const results = await run({
      checks: [
        { name: 'json', path: '/ok', jsonField: { path: 'status.version', equals: '2.0.0' } },
        { name: 'wrong field', path: '/ok', jsonField: { path: 'status.version', equals: '1.0.0' } },
        { name: 'status', path: '/broken' },
        { name: 'latency', path: '/slow', maxLatencyMs: 100 },
        { name: 'contains', path: '/ok', bodyContains: 'nope' },
      ],
    });
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['json', true],
      ['wrong field', false],
      ['status', false],
      ['latency', false],
      ['contains', false],
    ]);
    expect(results[1]?.detail).toMatch(
      /^GET \/ok: 200 in \d+ ms: status\.version is "2\.0\.0", not "1\.0\.0"$/,
    );
    expect(results[2]?.detail).toMatch(/500 in \d+ ms: expected status 200$/);
    expect(results[3]?.detail).toMatch(/slower than 100 ms$/);
  });

  it('runs the command with the preview URL and the identity; a non-zero exit fails with its output', async () => {
    const [ok] = await run({
      command: 'echo "testing $BAKESHIFT_SERVICE $BAKESHIFT_VERSION at $PREVIEW_URL"',
    });
    expect(ok).toEqual({
      name: 'command',
      passed: true,
      detail: `exited with 0: testing web 2.0.0 at ${previewUrl}`,
    });
    const [failed] = await run({ command: 'echo "smoke test 3 failed" >&2; exit 3' });
    expect(failed).toEqual({ name: 'command', passed: false, detail: 'exited with 3: smoke test 3 failed' });
  });

  it('kills a command that hangs at the timeout, and counts it as failed', async () => {
    const started = Date.now();
    const [hung] = await run({ timeoutSeconds: 1, command: 'echo started; sleep 30' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(hung).toMatchObject({ name: 'command', passed: false });
    expect(hung?.detail).toMatch(/^killed after 1 s \(the pre-traffic timeout\): started$/);
  });
});
