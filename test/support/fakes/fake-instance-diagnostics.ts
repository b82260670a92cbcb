import type { FleetDiagnosis, InstanceDiagnostics } from '../../../core/ports/instance-diagnostics.js';
import { type FakeFleets, fakeInstanceId } from './fake-fleets.js';

/**
 * Diagnostics for tests: a fleet of a version listed in `crashingVersions` keeps exiting and is given up at
 * once (exit code 1, one line of error output); any other fleet has nothing to report.
 */
export class FakeInstanceDiagnostics implements InstanceDiagnostics {
  readonly crashingVersions = new Set<string>();

  constructor(private readonly fleets: FakeFleets) {}

  async hopeless({ fleetId }: { fleetId: string }): Promise<string | undefined> {
    const version = this.fleets.fleets.get(fleetId)?.version;
    return version && this.crashingVersions.has(version) ? 'its instances keep exiting' : undefined;
  }

  async diagnose({ fleetId }: { fleetId: string }): Promise<FleetDiagnosis> {
    if (!(await this.hopeless({ fleetId }))) return { instances: [] };
    return {
      instances: [
        { instanceId: fakeInstanceId(fleetId, 0), exit: 'exit code 1', lastOutput: ['Error: cannot start'] },
      ],
    };
  }
}
