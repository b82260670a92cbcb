import type { Fleet, FleetInstance, FleetRef, FleetSpec, Fleets } from '../../../core/ports/fleets.js';

/** Fleets for tests: launched fleets are kept until destroyed; launches are counted. */
export class FakeFleets implements Fleets {
  readonly fleets = new Map<string, FleetSpec>();
  launches = 0;

  async launch(spec: FleetSpec): Promise<Fleet> {
    if (!this.fleets.has(spec.fleetId)) {
      this.launches++;
      this.fleets.set(spec.fleetId, structuredClone(spec));
    }
    return this.describeSpec(spec);
  }

  async describe(fleetId: string) {
    const spec = this.fleets.get(fleetId);
    return spec && this.describeSpec(spec);
  }

  /** One instance per unit of desired capacity, on the fleet's image, ids derived from the fleet's. */
  async instances(fleetId: string): Promise<FleetInstance[]> {
    const spec = this.fleets.get(fleetId);
    return Array.from({ length: spec?.capacity.desired ?? 0 }, (_, n) => ({
      instanceId: fakeInstanceId(fleetId, n),
      imageId: spec?.imageId ?? '',
      launchedAt: '2026-01-01T00:00:00.000Z',
    }));
  }

  async destroy({ fleetId }: FleetRef) {
    this.fleets.delete(fleetId);
  }

  async imagesInUse(service: string): Promise<string[]> {
    return [...this.fleets.values()].filter((f) => f.service === service).map((f) => f.imageId);
  }

  ids(): string[] {
    return [...this.fleets.keys()].sort();
  }

  private describeSpec(spec: FleetSpec): Fleet {
    return {
      fleetId: spec.fleetId,
      imageId: spec.imageId,
      version: spec.version,
      capacity: { ...spec.capacity },
    };
  }
}

export const fakeInstanceId = (fleetId: string, n: number) => `${fleetId}-i${n}`;
