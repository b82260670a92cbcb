import type { ApprovalChannel, ApprovalView } from '../../../core/ports/approval-channel.js';

export type FakeApproverAnswer = { approve: boolean; by: string } | 'no-answer';

/**
 * An approval channel for tests: records what people were shown, and answers each request the way a test
 * says, through the same decision function the CLI and Slack use.
 */
export class FakeApprovalChannel implements ApprovalChannel {
  readonly asked: ApprovalView[] = [];
  readonly outcomes: ApprovalView[] = [];
  answer: FakeApproverAnswer = { approve: true, by: 'alice' };
  /** Overrides `answer` per request (e.g. approve before traffic, reject a verdict in doubt). */
  answerFor: ((view: ApprovalView) => FakeApproverAnswer) | undefined;
  decide: (approvalId: string, approve: boolean, by: string) => Promise<unknown> = async () => {
    throw new Error('FakeApprovalChannel.decide is not wired');
  };

  async ask(view: ApprovalView) {
    this.asked.push(structuredClone(view));
    const answer = this.answerFor?.(view) ?? this.answer;
    if (answer === 'no-answer') return undefined;
    setImmediate(() => void this.decide(view.approvalId, answer.approve, answer.by));
    return undefined;
  }

  async showOutcome(view: ApprovalView) {
    this.outcomes.push(structuredClone(view));
  }
}
