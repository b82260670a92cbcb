import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, DeploymentStatus, Release } from '../../core/deployment/deployment-record.js';
import type { FleetInUse } from '../../core/ports/traffic.js';
import {
  type GarbageContext,
  judgeResources,
  type OwnedResource,
  type Routing,
  selectGarbage,
} from '../../core/releases/select-garbage.js';

/**
 * The janitor's rule against what the load balancer says (ADR 32): records of any shape (any status, any fleet
 * named as green or blue, drains begun at any time, any lock holders), any live releases, any routing. Whatever the records say,
 * a fleet that is routed to or draining is never selected; with the routing unread, no fleet is; and a fleet
 * nothing keeps is selected.
 */
const FLEETS = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'] as const;
const DEPLOYMENTS = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5'] as const;
const ENVIRONMENTS = ['staging', 'prod'] as const;
const STATUSES: DeploymentStatus[] = [
  'in_progress',
  'compensating',
  'succeeded',
  'rolled_back',
  'superseded',
];
const DRAIN_SECONDS = { staging: 30, prod: 60 };
const NOW = new Date('2026-01-01T01:00:00Z');

const fleetId = fc.constantFrom(...FLEETS);
const environment = fc.constantFrom(...ENVIRONMENTS);

const deployment: fc.Arbitrary<DeploymentRecord> = fc
  .record({
    deploymentId: fc.constantFrom(...DEPLOYMENTS),
    environment,
    status: fc.constantFrom(...STATUSES),
    greenFleetId: fleetId,
    blue: fc.option(fleetId, { nil: undefined }),
    previous: fc.option(fleetId, { nil: undefined }),
    drainBeganSecondsAgo: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  })
  .map((d) => ({
    deploymentId: d.deploymentId,
    service: 'web',
    environment: d.environment,
    trigger: 'artifact',
    version: `v-${d.deploymentId}`,
    requestedBy: 'prop',
    requestedAt: '2026-01-01T00:00:00Z',
    status: d.status,
    greenFleetId: d.greenFleetId,
    imageId: `img-${d.deploymentId}`,
    ...(d.blue ? { blue: { fleetId: d.blue, imageId: 'img-blue', version: 'v0' } } : {}),
    ...(d.previous ? { previousRelease: release(d.previous, d.environment) } : {}),
    phases:
      d.drainBeganSecondsAgo === undefined
        ? {}
        : { reap: new Date(NOW.getTime() - d.drainBeganSecondsAgo * 1000).toISOString() },
    warnings: [],
  }));

function release(fleet: string, env: string): Release {
  return {
    service: 'web',
    environment: env,
    version: `v-${fleet}`,
    imageId: `img-${fleet}`,
    fleetId: fleet,
    deploymentId: fleet,
    capacity: { min: 1, desired: 1, max: 1 },
    liveSince: '2026-01-01T00:00:00Z',
  };
}

const inUse: fc.Arbitrary<FleetInUse[]> = fc.array(
  fc.record({
    fleetId,
    by: fc.constantFrom('listener' as const, 'preview' as const, 'draining' as const),
    detail: fc.constant('from the load balancer'),
  }),
  { maxLength: 4 },
);

const world = fc.record({
  deployments: fc.uniqueArray(deployment, { selector: (d) => d.deploymentId, maxLength: 6 }),
  live: fc.uniqueArray(fc.record({ fleetId, environment }), { selector: (r) => r.environment }),
  fleets: fc.array(fc.record({ deploymentId: fc.constantFrom(...DEPLOYMENTS, 'orphan'), environment }), {
    minLength: FLEETS.length,
    maxLength: FLEETS.length,
  }),
  inUse,
  lockHolders: fc.subarray<string>([...DEPLOYMENTS]),
});
type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function resourcesOf(w: World): OwnedResource[] {
  return w.fleets.map((f, n) => ({ kind: 'fleet', id: FLEETS[n] ?? '', service: 'web', ...f }));
}

function contextOf(w: World, routing: Routing): GarbageContext {
  return {
    live: w.live.map((r) => release(r.fleetId, r.environment)),
    deployments: w.deployments,
    lockHolders: w.lockHolders,
    retainImages: 3,
    rollbackWindowReleases: 2,
    bakeDeadlineSeconds: 3600,
    drainSeconds: DRAIN_SECONDS,
    routing,
    now: NOW,
  };
}

/** The rule for fleets, written independently of the implementation. */
function mustKeep(w: World, fleet: OwnedResource): boolean {
  // Not ended: its status is not terminal, or it still holds its environment's lock (its flow runs on).
  const running = w.deployments.filter(
    (d) =>
      d.status === 'in_progress' || d.status === 'compensating' || w.lockHolders.includes(d.deploymentId),
  );
  const drainingByRecords = w.deployments.filter((d) => {
    const began = d.phases.reap ? Date.parse(d.phases.reap) : Number.NaN;
    return NOW.getTime() < began + DRAIN_SECONDS[d.environment as 'staging'] * 1000;
  });
  return (
    w.live.some((r) => r.fleetId === fleet.id) ||
    w.inUse.some((f) => f.fleetId === fleet.id) ||
    running.some(
      (d) =>
        d.deploymentId === fleet.deploymentId ||
        [d.greenFleetId, d.blue?.fleetId, d.previousRelease?.fleetId].includes(fleet.id),
    ) ||
    drainingByRecords.some((d) => (d.blue?.fleetId ?? d.previousRelease?.fleetId) === fleet.id)
  );
}

describe('the janitor and the load balancer', () => {
  it('whatever the records say, never selects a fleet a listener or preview listener routes to or that drains', () => {
    fc.assert(
      fc.property(world, (w) => {
        const selected = selectGarbage(resourcesOf(w), contextOf(w, { read: true, inUse: w.inUse }));
        const inUseIds = new Set(w.inUse.map((f) => f.fleetId));
        expect(selected.filter((r) => inUseIds.has(r.id))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps exactly the fleets that are live, routed, draining, or named by a deployment not ended', () => {
    fc.assert(
      fc.property(world, (w) => {
        const resources = resourcesOf(w);
        const selected = new Set(
          selectGarbage(resources, contextOf(w, { read: true, inUse: w.inUse })).map((r) => r.id),
        );
        for (const fleet of resources)
          expect(selected.has(fleet.id), `fleet ${fleet.id}`).toBe(!mustKeep(w, fleet));
      }),
      { numRuns: 500 },
    );
  });

  it('with the routing unread, selects no fleet and says why for each', () => {
    fc.assert(
      fc.property(world, (w) => {
        const unread = contextOf(w, { read: false, reason: 'Throttling: rate exceeded' });
        expect(selectGarbage(resourcesOf(w), unread)).toEqual([]);
        for (const { keptBecause } of judgeResources(resourcesOf(w), unread))
          expect(keptBecause).toContain(
            'routing not read, so no fleet is removed: Throttling: rate exceeded',
          );
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the image a kept fleet runs, and says why', () => {
    const failed: DeploymentRecord = {
      deploymentId: 'd9',
      service: 'web',
      environment: 'staging',
      trigger: 'artifact',
      version: '2.0.0',
      requestedBy: 'test',
      requestedAt: '2026-01-01T00:00:00Z',
      status: 'rolled_back',
      greenFleetId: 'd9',
      imageId: 'img-d9',
      phases: {},
      warnings: [],
    };
    const resources: OwnedResource[] = [
      { kind: 'fleet', id: 'd9', service: 'web', environment: 'staging', deploymentId: 'd9' },
      { kind: 'image', id: 'img-d9', service: 'web', createdAt: '2026-01-01T00:00:00Z', deploymentId: 'd9' },
    ];
    const context = {
      live: [],
      deployments: [failed],
      lockHolders: [],
      retainImages: 0,
      rollbackWindowReleases: 2,
      bakeDeadlineSeconds: 3600,
      drainSeconds: DRAIN_SECONDS,
      now: NOW,
    };
    const routed: Routing = {
      read: true,
      inUse: [{ fleetId: 'd9', by: 'listener', detail: 'web/staging 100%' }],
    };
    expect(judgeResources(resources, { ...context, routing: routed }).map((v) => v.keptBecause)).toEqual([
      ['listener: web/staging 100%'],
      ['runs fleet d9, which is kept'],
    ]);
    expect(selectGarbage(resources, { ...context, routing: { read: true, inUse: [] } })).toEqual(resources);
  });
});
