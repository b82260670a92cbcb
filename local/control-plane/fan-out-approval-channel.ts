import type { ApprovalChannel, ApprovalView } from '../../core/ports/approval-channel.js';

/**
 * Asks in every channel (the local event log and Slack). One channel failing does not fail the request: people
 * can still decide through another (`bakeshift approve`). The first channel that can update its message keeps it.
 */
export class FanOutApprovalChannel implements ApprovalChannel {
  constructor(private readonly channels: ApprovalChannel[]) {}

  async ask(view: ApprovalView) {
    const results = await Promise.allSettled(this.channels.map((c) => c.ask(view)));
    if (results.every((r) => r.status === 'rejected')) {
      throw new AggregateError(
        results.map((r) => (r as PromiseRejectedResult).reason),
        'no channel could ask for the approval',
      );
    }
    return results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []))[0];
  }

  async showOutcome(view: ApprovalView) {
    await Promise.allSettled(this.channels.map((c) => c.showOutcome(view)));
  }
}
