import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, Release } from '../../core/deployment/deployment-record.js';
import { type OwnedResource, selectGarbage } from '../../core/releases/select-garbage.js';

/**
 * Random histories of deployments, rollbacks, promotions and failures (including ones that leave a fleet or a
 * builder behind), then the janitor: it never removes anything live, in flight or in the rollback window, and it
 * removes everything else it owns beyond retention.
 */
type Step =
  | {
      op: 'deploy';
      environment: 'staging' | 'prod';
      outcome: 'succeeded' | 'rolled_back' | 'reap-failed' | 'in-flight';
    }
  | { op: 'promote' }
  | { op: 'rollback'; environment: 'staging' | 'prod' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('deploy' as const),
    environment: fc.constantFrom('staging' as const, 'prod' as const),
    outcome: fc.constantFrom(
      'succeeded' as const,
      'rolled_back' as const,
      'reap-failed' as const,
      'in-flight' as const,
    ),
  }),
  fc.record({ op: fc.constant('promote' as const) }),
  fc.record({
    op: fc.constant('rollback' as const),
    environment: fc.constantFrom('staging' as const, 'prod' as const),
  }),
);

interface World {
  live: Map<string, Release>;
  deployments: DeploymentRecord[];
  resources: OwnedResource[];
}

function replay(steps: Step[]): World {
  const world: World = { live: new Map(), deployments: [], resources: [] };
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const tick = () => {
    clock += 60_000;
    return new Date(clock).toISOString();
  };
  steps.forEach((s, n) => {
    const at = tick();
    const deploymentId = `d${n}`;
    const environment = s.op === 'promote' ? 'prod' : s.environment;
    const blue = world.live.get(environment);
    let imageId: string | undefined;
    if (s.op === 'deploy') {
      imageId = `img${n}`;
      world.resources.push({ kind: 'image', id: imageId, service: 'web', createdAt: at, deploymentId });
      world.resources.push({
        kind: 'builder',
        id: `builder${n}`,
        service: 'web',
        deploymentId,
        launchedAt: at,
      });
    } else if (s.op === 'promote') {
      imageId = world.live.get('staging')?.imageId;
    } else {
      const previous = [...world.deployments]
        .reverse()
        .find(
          (d) => d.environment === environment && d.status === 'succeeded' && d.imageId !== blue?.imageId,
        );
      imageId = previous?.imageId;
    }
    if (!imageId) return;
    const outcome = s.op === 'deploy' ? s.outcome : 'succeeded';
    const status =
      outcome === 'in-flight' ? 'in_progress' : outcome === 'rolled_back' ? 'rolled_back' : 'succeeded';
    world.deployments.push({
      deploymentId,
      service: 'web',
      environment,
      trigger: s.op === 'deploy' ? 'artifact' : s.op,
      version: `v${n}`,
      requestedBy: 'prop',
      requestedAt: at,
      status,
      greenFleetId: deploymentId,
      imageId,
      phases: {},
      warnings: [],
    });
    if (outcome === 'rolled_back') return;
    world.resources.push({ kind: 'fleet', id: deploymentId, service: 'web', environment, deploymentId });
    if (outcome === 'in-flight') return;
    world.live.set(environment, {
      service: 'web',
      environment,
      version: `v${n}`,
      imageId,
      fleetId: deploymentId,
      deploymentId,
      capacity: { min: 1, desired: 1, max: 1 },
      liveSince: at,
    });
    // Blue is reaped, unless reaping failed (a cleanup warning): then its fleet is left for the janitor.
    if (blue && outcome !== 'reap-failed')
      world.resources = world.resources.filter((r) => !(r.kind === 'fleet' && r.id === blue.fleetId));
  });
  return world;
}

/** The rules, written independently of the implementation: what must be kept. */
function mustKeep(world: World, resource: OwnedResource, retainImages: number): boolean {
  const inFlight = new Set(
    world.deployments.filter((d) => d.status === 'in_progress').map((d) => d.deploymentId),
  );
  const live = [...world.live.values()];
  if (resource.kind === 'fleet')
    return live.some((r) => r.fleetId === resource.id) || inFlight.has(resource.deploymentId);
  if (resource.kind === 'builder') return inFlight.has(resource.deploymentId);
  const window = ['staging', 'prod'].flatMap((env) =>
    world.deployments
      .filter((d) => d.environment === env && d.status === 'succeeded')
      .slice(-2)
      .map((d) => d.imageId),
  );
  const newest = world.resources
    .filter((r) => r.kind === 'image')
    .slice(-retainImages)
    .map((r) => r.id);
  return (
    live.some((r) => r.imageId === resource.id) ||
    world.deployments.some((d) => inFlight.has(d.deploymentId) && d.imageId === resource.id) ||
    window.includes(resource.id) ||
    newest.includes(resource.id)
  );
}

describe('the janitor', () => {
  it('never removes what is live, in flight or in the rollback window, and removes everything else it owns', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, retainImages) => {
          const world = replay(steps);
          const removed = new Set(
            selectGarbage(world.resources, {
              live: [...world.live.values()],
              deployments: world.deployments,
              lockHolders: [],
              retainImages,
              rollbackWindowReleases: 2,
              bakeDeadlineSeconds: 3600,
              drainSeconds: {},
              routing: { read: true, inUse: [] },
              now: new Date('2026-01-01T01:00:00Z'),
            }).map((r) => `${r.kind}:${r.id}`),
          );
          for (const resource of world.resources) {
            expect(removed.has(`${resource.kind}:${resource.id}`), `${resource.kind} ${resource.id}`).toBe(
              !mustKeep(world, resource, retainImages),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('removes a builder stuck past the bake deadline even while its deployment is in flight', () => {
    const deployment = {
      deploymentId: 'd1',
      environment: 'staging',
      status: 'in_progress',
      requestedAt: 'T',
      imageId: undefined,
      phases: {},
    } as unknown as DeploymentRecord;
    const builder: OwnedResource = {
      kind: 'builder',
      id: 'i-1',
      service: 'web',
      deploymentId: 'd1',
      launchedAt: '2026-01-01T00:00:00Z',
    };
    const context = {
      live: [],
      deployments: [deployment],
      lockHolders: [],
      retainImages: 3,
      rollbackWindowReleases: 2,
      bakeDeadlineSeconds: 1800,
      drainSeconds: {},
      routing: { read: true as const, inUse: [] },
    };
    expect(selectGarbage([builder], { ...context, now: new Date('2026-01-01T00:20:00Z') })).toEqual([]);
    expect(selectGarbage([builder], { ...context, now: new Date('2026-01-01T00:31:00Z') })).toEqual([
      builder,
    ]);
  });
});
