import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeploymentEvent, Notifier } from '../../core/ports/notifier.js';

/** Side notifications (started, shifted) must never fail a step; the outcome announcement is its own Task. */
export async function notifyQuietly(notifier: Notifier, event: DeploymentEvent, log: Logger): Promise<void> {
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
