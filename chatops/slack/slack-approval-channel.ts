import type { ApprovalChannel, ApprovalView } from '../../core/ports/approval-channel.js';
import { approvalOutcomeBlocks, approvalRequestBlocks, outcomeText } from './approval-blocks.js';
import { mentions } from './mention.js';
import { type SlackClientSource, slackClientOf } from './slack-client-source.js';
import { slackText } from './slack-text.js';

/** Asks in the environment's Slack channel, and shows the outcome in the same message. */
export class SlackApprovalChannel implements ApprovalChannel {
  constructor(private readonly slack: SlackClientSource) {}

  async ask(view: ApprovalView) {
    const channel = view.context.channel;
    if (!channel) return undefined;
    const posted = await (await slackClientOf(this.slack)).chat.postMessage({
      channel,
      text: `Approve ${slackText(`${view.service} ${view.version} to ${view.environment}`)}? (approvers: ${mentions(view.approvers)})`,
      blocks: approvalRequestBlocks(view),
    });
    return posted.ts && posted.channel ? { channel: posted.channel, ts: posted.ts } : undefined;
  }

  async showOutcome(view: ApprovalView) {
    if (!view.message) return;
    await (await slackClientOf(this.slack)).chat.update({
      channel: view.message.channel,
      ts: view.message.ts,
      text: outcomeText(view),
      blocks: approvalOutcomeBlocks(view),
    });
  }
}
