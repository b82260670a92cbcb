import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDataPlane } from '../../local/load-balancer/local-data-plane.js';

const HEALTH = {
  path: '/health',
  intervalSeconds: 1,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  deadlineSeconds: 10,
};
const key = { service: 'web', environment: 'staging' };
let home: string;
let app: Server;
let dataPlane: LocalDataPlane;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-data-plane-'));
  app = createServer((_, res) => res.end('from the app'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  dataPlane = new LocalDataPlane(join(home, 'listeners.json'));
});
afterAll(async () => {
  await dataPlane.close();
  app.close();
  await rm(home, { recursive: true, force: true });
});

describe('the data plane in its own thread (local/load-balancer/local-data-plane.ts)', () => {
  it('is steered by commands: a listener, a target group, a target, weights; then it serves', async () => {
    const urls = await dataPlane.listenerFor(key);
    expect(dataPlane.urls()).toEqual([urls]);
    await dataPlane.commands.createGroup('fleet-a', HEALTH, 0);
    await dataPlane.commands.register('fleet-a', 'i-1', (app.address() as AddressInfo).port);
    await dataPlane.commands.setWeights(key, [{ fleetId: 'fleet-a', percent: 100 }]);
    expect(await dataPlane.commands.currentWeights(key)).toEqual([{ fleetId: 'fleet-a', percent: 100 }]);
    expect(await (await fetch(urls.url)).text()).toBe('from the app');
    expect(await dataPlane.commands.targetIds('fleet-a')).toEqual(['i-1']);
  });

  it('a command the data plane refuses rejects with its reason; nothing changes', async () => {
    await expect(dataPlane.commands.setWeights(key, [{ fleetId: 'fleet-a', percent: 90 }])).rejects.toThrow(
      'weights sum to 90, not 100',
    );
    await expect(dataPlane.commands.setWeights(key, [{ fleetId: 'nowhere', percent: 100 }])).rejects.toThrow(
      'no target group for fleet nowhere',
    );
    expect(await dataPlane.commands.currentWeights(key)).toEqual([{ fleetId: 'fleet-a', percent: 100 }]);
  });

  it('keeps serving while the control plane’s thread is blocked', async () => {
    // The app and the client are processes of their own: while this thread spins, only the data plane's serves.
    const target = spawn(process.execPath, [
      '-e',
      "const s=require('node:http').createServer((q,r)=>r.end('from a process'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    ]);
    try {
      const [port] = (await once(target.stdout, 'data')) as [Buffer];
      await dataPlane.commands.createGroup('fleet-b', HEALTH, 0);
      await dataPlane.commands.register('fleet-b', 'i-2', Number(port.toString().trim()));
      await dataPlane.commands.setWeights(key, [{ fleetId: 'fleet-b', percent: 100 }]);
      const { url } = await dataPlane.listenerFor(key);
      const client = spawn(process.execPath, [
        '-e',
        `const t=Date.now();fetch(${JSON.stringify(url)}).then(r=>r.text()).then(b=>console.log(JSON.stringify({b,ms:Date.now()-t})))`,
      ]);
      let out = '';
      client.stdout.on('data', (chunk) => {
        out += chunk;
      });
      const blockedUntil = Date.now() + 1500;
      while (Date.now() < blockedUntil) {
        // The control plane's event loop is busy (an unpack, a hash): nothing else runs on it.
      }
      await once(client, 'exit');
      const answer = JSON.parse(out) as { b: string; ms: number };
      expect(answer.b).toBe('from a process');
      expect(answer.ms).toBeLessThan(1000);
    } finally {
      target.kill();
    }
  });
});
