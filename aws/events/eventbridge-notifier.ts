import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DeploymentEvent, DeploymentEventKind, Notifier } from '../../core/ports/notifier.js';
import { withAwsErrors } from '../commons/aws-errors.js';

/** One detail-type per lifecycle transition (docs/events.md describes each). */
export const DETAIL_TYPES: Record<DeploymentEventKind, string> = {
  started: 'Deployment Started',
  approval_requested: 'Deployment Approval Requested',
  approved: 'Deployment Approved',
  rejected: 'Deployment Rejected',
  traffic_shifted: 'Deployment Traffic Shifted',
  succeeded: 'Deployment Succeeded',
  rolled_back: 'Deployment Rolled Back',
  congruence_report: 'Congruence Drift Report',
  analysis_verdict: 'Deployment Analysis Verdict',
  lock_taken_over: 'Deployment Lock Taken Over',
  frozen: 'Deployments Frozen',
  unfrozen: 'Deployments Unfrozen',
  freeze_overridden: 'Deployment Freeze Overridden',
  traffic_in_doubt: 'Deployment Traffic In Doubt',
};

export const EVENT_SOURCE = 'bakeshift';

/** Publishes every deployment transition on an event bus, for other systems to subscribe to. */
export class EventBridgeNotifier implements Notifier {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async notify(event: DeploymentEvent): Promise<void> {
    const { kind, detail, ...fields } = event;
    const result = await withAwsErrors('PutEvents', () =>
      this.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.eventBusName,
              Source: EVENT_SOURCE,
              DetailType: DETAIL_TYPES[kind],
              Time: new Date(event.at),
              Detail: JSON.stringify({ ...fields, ...(detail ? { detail } : {}) }),
            },
          ],
        }),
      ),
    );
    if (result.FailedEntryCount) {
      throw new Error(
        `PutEvents refused the event: ${result.Entries?.[0]?.ErrorCode} ${result.Entries?.[0]?.ErrorMessage}`,
      );
    }
  }
}
