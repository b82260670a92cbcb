import { type JanitorReport, type ProviderLeftovers, runJanitor } from '../../core/releases/run-janitor.js';
import type { FakeWorld } from './fake-world.js';

/**
 * The janitor (core/releases/run-janitor.ts) over a FakeWorld: fleets as FakeFleets holds them, routing as
 * FakeTraffic answers it. Fake bakes leave no builders behind, so there are none to list.
 */
export function runFakeJanitor(
  world: FakeWorld,
  options: { dryRun: boolean } = { dryRun: false },
  service = 'web',
): Promise<JanitorReport> {
  const provider: ProviderLeftovers = {
    listFleets: async (name) =>
      [...world.fleets.fleets.values()]
        .filter((f) => f.service === name)
        .map((f) => ({
          kind: 'fleet' as const,
          id: f.fleetId,
          service: name,
          environment: f.environment,
          deploymentId: f.deploymentId,
          imageId: f.imageId,
        })),
    listBuilders: async () => [],
    removeBuilder: async (id) => {
      throw new Error(`the fake world has no builder ${id}`);
    },
  };
  return runJanitor(world.ports(), provider, service, options);
}
