import type { ApprovalTicket } from './release-store.js';

/** A ticket as people may see it: everything but the task token. */
export type ApprovalView = Omit<ApprovalTicket, 'taskToken'>;

export const approvalViewOf = ({ taskToken: _token, ...view }: ApprovalTicket): ApprovalView => view;

/** Where people are asked for a decision (Slack, or the local CLI) and shown its final outcome. */
export interface ApprovalChannel {
  /** Returns where the request was posted, when the channel can later update it in place. */
  ask(view: ApprovalView): Promise<{ channel: string; ts: string } | undefined>;
  showOutcome(view: ApprovalView): Promise<void>;
}
