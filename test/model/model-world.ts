import type { Ports } from '../../core/ports/index.js';
import type { JanitorReport } from '../../core/releases/run-janitor.js';
import { webConfig } from '../support/fake-world.js';
import type { FakeClock } from '../support/fakes/fake-clock.js';
import type { FakeReleaseStore } from '../support/fakes/fake-release-store.js';

/** What the model runs deployments of: two services, three listeners. */
export const TARGETS = [
  { service: 'web', environment: 'staging' },
  { service: 'web', environment: 'prod' },
  { service: 'api', environment: 'staging' },
] as const;
export type Target = (typeof TARGETS)[number];
export const SERVICES = ['web', 'api'] as const;
export const targetKey = (t: { service: string; environment: string }) => `${t.service}/${t.environment}`;

/** The fakes' and the simulated cloud's deregistration delay: every environment's drainSeconds must be it. */
export const DRAIN_SECONDS = 30;

/** The test service of the flow tests (a plain and a guarded environment), and a small second service. */
export function modelConfigs() {
  const web = webConfig();
  // On AWS the CDK app sets each target group's deregistration delay from drainSeconds; the worlds have one.
  for (const env of Object.values(web.environments)) env.drainSeconds = DRAIN_SECONDS;
  return {
    web,
    api: {
      service: 'api',
      environments: {
        staging: {
          capacity: { min: 1, desired: 1, max: 2 },
          keepBlueWarmSeconds: 30,
          drainSeconds: DRAIN_SECONDS,
        },
      },
      bake: { baseImage: 'debian-base', timeoutSeconds: 1800 },
      retention: { images: 2 },
    },
  };
}

/** How a version behaves once launched. */
export type VersionHealth = 'healthy' | 'broken' | 'breaks-after-shift';

/** A managed resource that must not be there, described for the report. */
export interface Leftover {
  kind: string;
  id: string;
}

/**
 * One history's world: the real adapters (or the stateful fakes) the handlers run over, and what the invariants
 * read of it. Reads are synchronous snapshots of the simulated state, so an invariant sees one instant.
 */
export interface ModelWorld {
  readonly name: string;
  readonly clock: FakeClock;
  /** The release store (the test fake in both worlds: its DynamoDB adapter has its own contract test). */
  readonly store: FakeReleaseStore;
  /** The ports one Lambda function builds (approvals and callbacks are the control plane's). */
  portsFor(functionName?: string): Omit<Ports, 'approvals' | 'callbacks' | 'executions'>;
  /** The real janitor of this world, over the given (scheduled) ports. */
  runJanitor(ports: Ports, service: string): Promise<JanitorReport>;
  setHealth(service: string, version: string, health: VersionHealth): void;
  /** What a crash of the control plane does to the world itself (locally the instances die with it). */
  crashed(): Promise<void>;
  /** Percent by fleet for the main listener (fleets at 0 % omitted; an empty slot is `(empty <slot>)`). */
  listenerWeights(service: string, environment: string): Record<string, number>;
  /** The fleet the preview listener forwards to, if any. */
  previewFleet(service: string, environment: string): string | undefined;
  fleetExists(fleetId: string): boolean;
  fleetsOf(service: string): { fleetId: string; environment: string }[];
  images(service: string): { imageId: string; createdAt: string }[];
  imageExists(imageId: string): boolean;
  /** Builders, snapshots and launch template versions that belong to no image or fleet still there. */
  strayResources(service: string, keptFleets: ReadonlySet<string>): Leftover[];
  dispose(): Promise<void>;
}
