import type { Log } from '../ports/log.js';
import type { DeploymentEvent, Notifier } from '../ports/notifier.js';

/** Side notifications (started, shifted) must never fail a step; the outcome announcement is its own Task. */
export async function notifyQuietly(notifier: Notifier, event: DeploymentEvent, log: Log): Promise<void> {
  try {
    await notifier.notify(event);
  } catch (error) {
    log.warn('notification failed', { kind: event.kind, error: error as Error });
  }
}

/** The identifying fields of an event, picked explicitly: plans carry app variables that must not leak. */
export const deploymentRef = (d: {
  deploymentId: string;
  service: string;
  environment: string;
  version: string;
}) => ({
  deploymentId: d.deploymentId,
  service: d.service,
  environment: d.environment,
  version: d.version,
});
