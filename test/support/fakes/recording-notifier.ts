import type { DeploymentEvent, Notifier } from '../../../core/ports/notifier.js';

/** A notifier for tests that keeps every event, and can be told to fail. */
export class RecordingNotifier implements Notifier {
  readonly events: DeploymentEvent[] = [];
  failing = false;

  async notify(event: DeploymentEvent) {
    if (this.failing) throw new Error('notification channel is down');
    this.events.push(structuredClone(event));
  }

  kinds(deploymentId: string): string[] {
    return this.events.filter((e) => e.deploymentId === deploymentId).map((e) => e.kind);
  }
}
