import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalLoadBalancers } from '../../local/load-balancer/local-load-balancers.js';

const HEALTH = {
  path: '/health',
  intervalSeconds: 1,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const servers: Server[] = [];
let balancers: LocalLoadBalancers;

/** A target: answers its name, can be made unhealthy, can hold requests open. */
async function target(name: string, options: { healthy?: () => boolean; delayMs?: number } = {}) {
  const server = createServer((req, res) => {
    if (req.url === '/health') {
      const ok = options.healthy?.() ?? true;
      res.writeHead(ok ? 200 : 503).end();
      return;
    }
    setTimeout(() => res.end(name), options.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

async function until(condition: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(50);
  expect(condition()).toBe(true);
}

async function setUp() {
  balancers = new LocalLoadBalancers(join(await mkdtemp(join(tmpdir(), 'bakeshift-lb-')), 'listeners.json'));
  return balancers.listenerFor({ service: 'web', environment: 'prod' });
}

afterEach(async () => {
  await balancers.close();
  for (const server of servers.splice(0)) server.close();
});

describe('the local load balancer', () => {
  it('sends requests only to healthy targets', async () => {
    const { main } = await setUp();
    let bHealthy = false;
    const group = balancers.createGroup('blue', HEALTH, 1);
    group.register('a', await target('a'));
    group.register('b', await target('b', { healthy: () => bHealthy }));
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    await until(() => group.describe().healthy === 1 && group.describe().unhealthy === 1, 6000);

    const answers = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(main.url)).text()));
    expect(new Set(answers)).toEqual(new Set(['a']));
    expect(group.describe().details.join()).toContain('b unhealthy: Target.ResponseCodeMismatch (503)');

    bHealthy = true;
    await until(() => group.describe().healthy === 2, 6000);
    const later = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(main.url)).text()));
    expect(new Set(later)).toEqual(new Set(['a', 'b']));
  });

  it('fails open when every target of a group is unhealthy, as an ALB does', async () => {
    const { main } = await setUp();
    const group = balancers.createGroup('blue', HEALTH, 1);
    group.register('sick', await target('sick', { healthy: () => false }));
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    await until(() => group.describe().unhealthy === 1, 6000);
    expect(await (await fetch(main.url)).text()).toBe('sick');
  });

  it('splits traffic by weight across target groups, and refuses more than five or a sum other than 100', async () => {
    const { main } = await setUp();
    for (const fleet of ['blue', 'green'])
      balancers.createGroup(fleet, HEALTH, 1).register(`${fleet}-1`, await target(fleet));
    await until(
      () =>
        balancers.group('green')?.describe().healthy === 1 &&
        balancers.group('blue')?.describe().healthy === 1,
    );
    main.setWeights([
      { fleetId: 'blue', percent: 80 },
      { fleetId: 'green', percent: 20 },
    ]);
    const answers = await Promise.all(
      Array.from({ length: 400 }, async () => (await fetch(main.url)).text()),
    );
    const green = answers.filter((a) => a === 'green').length;
    expect(green).toBeGreaterThan(40);
    expect(green).toBeLessThan(140);

    expect(() => main.setWeights([{ fleetId: 'blue', percent: 50 }])).toThrow('weights sum to 50, not 100');
    expect(() => main.setWeights([{ fleetId: 'nope', percent: 100 }])).toThrow(
      'no target group for fleet nope',
    );
    const six = Array.from({ length: 6 }, (_, i) => ({ fleetId: `f${i}`, percent: i === 0 ? 95 : 1 }));
    expect(() => main.setWeights(six)).toThrow('at most 5 target groups');
  });

  it('lets a draining target finish its in-flight requests while new ones go elsewhere', async () => {
    const { main } = await setUp();
    const group = balancers.createGroup('blue', HEALTH, 5);
    group.register('slow', await target('slow', { delayMs: 800 }));
    await until(() => group.describe().healthy === 1);
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);

    const inFlight = fetch(main.url).then((r) => r.text());
    await sleep(100);
    const drained = group.deregister('slow');
    expect(await inFlight).toBe('slow');
    await drained;
    expect(group.describe().total).toBe(0);
    expect((await fetch(main.url)).status).toBe(503);
  });

  it('routes the preview listener to green before it takes real traffic', async () => {
    const { main } = await setUp();
    balancers.createGroup('blue', HEALTH, 1).register('b1', await target('blue'));
    balancers.createGroup('green', HEALTH, 1).register('g1', await target('green'));
    await until(
      () =>
        balancers.group('green')?.describe().healthy === 1 &&
        balancers.group('blue')?.describe().healthy === 1,
    );
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    const previewUrl = await balancers.previewTo({ service: 'web', environment: 'prod' }, 'green');

    expect(await (await fetch(previewUrl)).text()).toBe('green');
    expect(await (await fetch(main.url)).text()).toBe('blue');
  });

  it('tells the janitor which fleets it routes to, previews and drains, and nothing of a listener never opened', async () => {
    const { main } = await setUp();
    balancers.createGroup('blue', HEALTH, 5).register('slow', await target('slow', { delayMs: 800 }));
    balancers.createGroup('green', HEALTH, 1).register('g1', await target('green'));
    balancers.createGroup('idle', HEALTH, 1);
    await until(() => balancers.group('blue')?.describe().healthy === 1);
    main.setWeights([
      { fleetId: 'blue', percent: 90 },
      { fleetId: 'green', percent: 10 },
      { fleetId: 'idle', percent: 0 },
    ]);
    await balancers.previewTo({ service: 'web', environment: 'prod' }, 'green');
    expect(balancers.fleetsInUse('web', ['prod', 'staging'])).toEqual([
      { fleetId: 'blue', by: 'listener', detail: 'web/prod forwards 90%' },
      { fleetId: 'green', by: 'listener', detail: 'web/prod forwards 10%' },
      { fleetId: 'green', by: 'preview', detail: 'web/prod (preview) forwards to it' },
    ]);

    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    const slow = fetch(main.url).then((r) => r.text());
    await sleep(100);
    main.setWeights([{ fleetId: 'green', percent: 100 }]);
    const drained = balancers.group('blue')?.deregister('slow');
    expect(balancers.fleetsInUse('web', ['prod'])).toContainEqual({
      fleetId: 'blue',
      by: 'draining',
      detail: '1 target(s) still draining',
    });
    expect(await slow).toBe('slow');
    await drained;
    expect(balancers.fleetsInUse('web', ['prod']).map((f) => f.fleetId)).not.toContain('blue');
  });

  it('retries an idempotent request whose target failed before answering, and counts each retry', async () => {
    const { main } = await setUp();
    const group = balancers.createGroup('blue', HEALTH, 1);
    group.register('a', await target('a'));
    // A target that passes its health check but drops every other request before answering.
    const dropper = createServer((req, res) => {
      if (req.url === '/health') res.writeHead(200).end();
      else req.socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', () => resolve()));
    servers.push(dropper);
    group.register('b', (dropper.address() as AddressInfo).port);
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    await until(() => group.describe().healthy === 2, 6000);

    const answers = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(main.url)).text()));
    expect(new Set(answers)).toEqual(new Set(['a']));
    expect(main.retriedRequests).toBeGreaterThanOrEqual(5);
    expect(balancers.retriedRequests()).toBe(main.retriedRequests);
  });

  it('forwards a body, the client’s headers and the target’s, but no hop-by-hop header', async () => {
    const { main } = await setUp();
    const echo = createServer((req, res) => {
      if (req.url === '/health') return void res.writeHead(200).end();
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () =>
        res
          .writeHead(201, {
            'x-seen': JSON.stringify({ body, headers: req.headers }),
            'keep-alive': 'timeout=9',
          })
          .end('created'),
      );
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    servers.push(echo);
    const group = balancers.createGroup('blue', HEALTH, 1);
    group.register('echo', (echo.address() as AddressInfo).port);
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    await until(() => group.describe().healthy === 1);

    const response = await fetch(`${main.url}/things`, {
      method: 'POST',
      headers: { 'x-trace': 'abc', 'proxy-authorization': 'secret' },
      body: 'a body',
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('created');
    expect(response.headers.get('keep-alive')).not.toBe('timeout=9');
    const seen = JSON.parse(response.headers.get('x-seen') ?? '{}');
    expect(seen.body).toBe('a body');
    expect(seen.headers['x-trace']).toBe('abc');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['proxy-authorization']).toBeUndefined();
  });

  it('stops reading a target’s answer when the client goes away, so a draining target is let go at once', async () => {
    const { main } = await setUp();
    let upstreamClosed = false;
    const endless = createServer((req, res) => {
      if (req.url === '/health') return void res.writeHead(200).end();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('more\n'), 20);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed = true;
      });
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', () => resolve()));
    servers.push(endless);
    const group = balancers.createGroup('blue', HEALTH, 30);
    group.register('endless', (endless.address() as AddressInfo).port);
    main.setWeights([{ fleetId: 'blue', percent: 100 }]);
    await until(() => group.describe().healthy === 1);

    const client = new AbortController();
    const response = await fetch(main.url, { signal: client.signal });
    const reader = response.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    client.abort();
    await until(() => upstreamClosed);
    const started = Date.now();
    await group.deregister('endless');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps a listener’s port across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bakeshift-lb-ports-'));
    balancers = new LocalLoadBalancers(join(dir, 'listeners.json'));
    const first = (await balancers.listenerFor({ service: 'web', environment: 'prod' })).main.port;
    await balancers.close();
    balancers = new LocalLoadBalancers(join(dir, 'listeners.json'));
    expect((await balancers.listenerFor({ service: 'web', environment: 'prod' })).main.port).toBe(first);
  });
});
