import type { DeploymentEvent, Notifier } from './notifier.js';

/** Tells every notifier; one failing does not keep the others from hearing, but the failure is reported. */
export class FanOutNotifier implements Notifier {
  constructor(private readonly notifiers: Notifier[]) {}

  async notify(event: DeploymentEvent): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => n.notify(event)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (failures.length > 0) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
  }
}
