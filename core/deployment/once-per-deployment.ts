import type { DeploymentEvent, Notifier } from '../ports/notifier.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { DeploymentRecord } from './deployment-record.js';

/**
 * Step Functions retries a Task that did its work but failed to report it (a Lambda service error, a timeout):
 * what such a step records or announces must count once per deployment, not once per attempt.
 */

/** The warnings the record does not have yet. */
export const unrecordedWarnings = (record: DeploymentRecord | undefined, warnings: string[]) =>
  warnings.filter((warning) => !record?.warnings.includes(warning));

/**
 * A notifier that sends an announcement (identified by `key` within its deployment) unless the record says it
 * was sent, and records it once sent: at least once, and a retry after the send does not repeat it.
 */
export const announceOnce = (deps: { store: ReleaseStore; notifier: Notifier }, key: string): Notifier => ({
  async notify(event: DeploymentEvent) {
    const record = await deps.store.getDeployment(event.deploymentId);
    if (record?.announced?.includes(key)) return;
    await deps.notifier.notify(event);
    await deps.store.updateDeployment(event.deploymentId, { addAnnounced: [key] });
  },
});
