import { type CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import type {
  FleetDiagnosis,
  FleetTarget,
  InstanceDiagnostics,
  InstanceReport,
} from '../../core/ports/instance-diagnostics.js';
import { readFirst } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { FleetDirectory } from './fleet-directory.js';

/** How many instances a diagnosis reads, how far back and how many of their last lines it keeps. */
const READ_INSTANCES = 2;
const LOOK_BACK_MS = 3600_000;
const KEPT_LINES = 12;
/** A diagnosis is read by a person: a few pages of one stream are plenty, and bound the read. */
const READ_PAGES = 3;

/**
 * Why a fleet on AWS is not healthy, from what its instances shipped to CloudWatch Logs: the app's output (its
 * unit writes stdout and stderr to one file the agent ships, a stream per instance, in
 * `/bakeshift/<service>/<environment>`). Auto Scaling replaces unhealthy instances without bound and systemd
 * restarts the app, so a crash loop is never "hopeless" here: the health deadline bounds the wait, and the
 * failure's cause then carries each instance's last lines. An image without the CloudWatch agent ships nothing.
 */
export class CloudWatchInstanceDiagnostics implements InstanceDiagnostics {
  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly directory: FleetDirectory,
  ) {}

  async hopeless(): Promise<string | undefined> {
    return undefined;
  }

  async diagnose(fleet: FleetTarget): Promise<FleetDiagnosis> {
    const group = await this.directory.byFleet(fleet.fleetId);
    const ids = (group?.group.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : []));
    const logGroupName = `/bakeshift/${fleet.service}/${fleet.environment}`;
    const instances: InstanceReport[] = [];
    for (const instanceId of ids.slice(0, READ_INSTANCES))
      instances.push({ instanceId, lastOutput: await this.lastLines(logGroupName, instanceId) });
    return { instances };
  }

  /** The first pages of the instance's stream over the last hour: its last lines (a fresh instance has few). */
  private async lastLines(logGroupName: string, instanceId: string): Promise<string[]> {
    const events = await withAwsErrors('FilterLogEvents', () =>
      readFirst(
        paginateFilterLogEvents(
          { client: this.logs },
          { logGroupName, logStreamNames: [instanceId], startTime: Date.now() - LOOK_BACK_MS },
        ),
        (page) => page.events,
        READ_PAGES,
      ),
    ).catch((error: Error) => {
      if (error.name === 'ResourceNotFoundException') return [];
      throw error;
    });
    return events.slice(-KEPT_LINES).map((event) => (event.message ?? '').trimEnd());
  }
}
