import type { FleetRef } from '../../core/ports/fleets.js';
import type { Ports } from '../../core/ports/index.js';
import type { TaskCallbacks } from '../../core/ports/task-callbacks.js';
import { type ProviderLeftovers, runJanitor } from '../../core/releases/run-janitor.js';
import { FakeClock } from '../support/fakes/fake-clock.js';
import { FakeFleets } from '../support/fakes/fake-fleets.js';
import { FakeHealth } from '../support/fakes/fake-health.js';
import { FakeImageBaker } from '../support/fakes/fake-image-baker.js';
import { FakeInstanceDiagnostics } from '../support/fakes/fake-instance-diagnostics.js';
import { FakePreTrafficTests } from '../support/fakes/fake-pre-traffic-tests.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';
import { FakeServiceConfigs } from '../support/fakes/fake-service-configs.js';
import { FakeTraffic } from '../support/fakes/fake-traffic.js';
import { FakeTrafficMetrics } from '../support/fakes/fake-traffic-metrics.js';
import { RecordingNotifier } from '../support/fakes/recording-notifier.js';
import type { Leftover, ModelWorld, VersionHealth } from './model-world.js';
import { DRAIN_SECONDS, modelConfigs } from './model-world.js';

/** What the world needs from the control plane running over it. */
export interface WorldHooks {
  callbacks: TaskCallbacks;
  /** Called before a fleet is removed, with who removes it in the async context: checks invariant 1. */
  removing(fleetId: string, how: string): void;
  /** Every janitor provider call waits its turn like a port call. */
  gate(what: string): Promise<void>;
  /** An API call of the world's own (e.g. the bake events' function): the world is not idle meanwhile. */
  during<T>(work: () => Promise<T>): Promise<T>;
}

/** Fake fleets that report every removal before it happens. */
class WatchedFakeFleets extends FakeFleets {
  constructor(private readonly removing: (fleetId: string) => void) {
    super();
  }

  override async destroy(ref: FleetRef) {
    if (this.fleets.has(ref.fleetId)) this.removing(ref.fleetId);
    return super.destroy(ref);
  }
}

/**
 * Local mode's world as the flow tests fake it: the stateful fakes of every port. A crash kills the instances
 * with the control plane (ADR 12), so only what the restart relaunches runs afterwards.
 */
export class FakesModelWorld implements ModelWorld {
  readonly name = 'fakes';
  readonly clock: FakeClock;
  readonly store = new FakeReleaseStore();
  readonly fleets: WatchedFakeFleets;
  readonly diagnostics: FakeInstanceDiagnostics;
  readonly traffic: FakeTraffic;
  readonly health: FakeHealth;
  readonly baker: FakeImageBaker;
  readonly metrics = new FakeTrafficMetrics();
  readonly preTraffic = new FakePreTrafficTests();
  readonly notifier = new RecordingNotifier();
  readonly configs = new FakeServiceConfigs();

  constructor(
    private readonly hooks: WorldHooks,
    startMs: number,
  ) {
    this.clock = new FakeClock(startMs);
    this.fleets = new WatchedFakeFleets((fleetId) => hooks.removing(fleetId, 'Fleets.destroy'));
    this.diagnostics = new FakeInstanceDiagnostics(this.fleets);
    // Drains end on the history's virtual clock, as the invariants judge them.
    this.traffic = new FakeTraffic(this.fleets, this.clock);
    this.traffic.drainSeconds = DRAIN_SECONDS;
    this.health = new FakeHealth(this.fleets);
    this.baker = new FakeImageBaker(hooks.callbacks, this.clock);
    for (const [service, config] of Object.entries(modelConfigs())) this.configs.set(service, config);
  }

  portsFor() {
    return {
      configs: this.configs,
      store: this.store,
      baker: this.baker,
      fleets: this.fleets,
      traffic: this.traffic,
      metrics: this.metrics,
      preTraffic: this.preTraffic,
      health: this.health,
      diagnostics: this.diagnostics,
      notifier: this.notifier,
      clock: this.clock,
    };
  }

  /** The janitor as local mode runs it (local/janitor/local-janitor.ts): its fleets and bakes, here the fakes'. */
  runJanitor(ports: Ports, service: string) {
    const { gate } = this.hooks;
    const provider: ProviderLeftovers = {
      listFleets: async () => {
        await gate('janitor lists fleets');
        return [...this.fleets.fleets.values()]
          .filter((spec) => spec.service === service)
          .map((spec) => ({
            kind: 'fleet' as const,
            id: spec.fleetId,
            service,
            environment: spec.environment,
            deploymentId: spec.deploymentId,
          }));
      },
      listBuilders: async () => {
        await gate('janitor lists bakes');
        return [...this.baker.bakes.values()]
          .filter((b) => b.request.service === service && b.status.state === 'baking')
          .map((b) => ({
            kind: 'builder' as const,
            id: b.request.bakeId,
            service,
            deploymentId: b.request.deploymentId,
            launchedAt: b.status.state === 'baking' ? b.status.startedAt : '',
          }));
      },
      removeBuilder: async (bakeId) => {
        await gate('janitor cancels a bake');
        await this.baker.cancelBake(bakeId);
      },
    };
    return runJanitor(ports, provider, service, { dryRun: false });
  }

  setHealth(_service: string, version: string, health: VersionHealth) {
    if (health === 'broken') this.health.brokenVersions.add(version);
    // Healthy for the checks before and during the shift, then failing while blue is kept warm.
    if (health === 'breaks-after-shift') this.health.failAfterChecks.set(version, 3);
  }

  /** The control plane's instances and bakes die with it (local mode's processes). */
  async crashed() {
    this.fleets.fleets.clear();
    for (const bake of this.baker.bakes.values())
      if (bake.status.state === 'baking') bake.status = { state: 'cancelled' };
  }

  listenerWeights(service: string, environment: string) {
    return this.traffic.weightsOf(service, environment);
  }

  previewFleet(service: string, environment: string) {
    return this.traffic.previews.get(`${service}/${environment}`);
  }

  fleetExists(fleetId: string) {
    return this.fleets.fleets.has(fleetId);
  }

  fleetsOf(service: string) {
    return [...this.fleets.fleets.values()]
      .filter((spec) => spec.service === service)
      .map((spec) => ({ fleetId: spec.fleetId, environment: spec.environment }));
  }

  images(service: string) {
    return [...this.baker.images.values()]
      .filter((i) => i.service === service)
      .map((i) => ({ imageId: i.imageId, createdAt: i.createdAt }));
  }

  imageExists(imageId: string) {
    return this.baker.images.has(imageId);
  }

  strayResources(service: string): Leftover[] {
    return [...this.baker.bakes.values()]
      .filter((b) => b.request.service === service && b.status.state === 'baking')
      .map((b) => ({ kind: 'bake in flight', id: b.request.bakeId }));
  }

  async dispose() {}
}
