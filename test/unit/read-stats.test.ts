import { describe, expect, it } from 'vitest';
import { readStats } from '../../core/stats/read-stats.js';
import { FakeWorld } from '../support/fake-world.js';

/** `bakeshift stats [service]` (core/stats/read-stats.ts). */
describe('delivery figures per service', () => {
  const period = { since: new Date(Date.now() - 86_400_000), until: new Date() };

  it('refuses a service it cannot read, naming it, rather than answering with no figures', async () => {
    const world = new FakeWorld();
    const configs = Object.assign(world.configs, { services: async () => ['web'] });
    await expect(readStats({ store: world.store, configs }, { service: 'wbe', ...period })).rejects.toThrow(
      'no configuration for service wbe',
    );
  });

  it('gives every environment of every service when none is named', async () => {
    const world = new FakeWorld();
    await world.deploy({ version: '1.0.0' });
    const configs = Object.assign(world.configs, { services: async () => ['web', 'broken'] });
    const figures = await readStats(
      { store: world.store, configs },
      { since: period.since, until: new Date(Date.now() + 60_000) },
    );
    expect(figures.map((f) => [f.service, f.environment, f.deployments])).toEqual([
      ['web', 'staging', 1],
      ['web', 'prod', 0],
    ]);
  });
});
