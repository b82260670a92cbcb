import * as z from 'zod';
import { type DecisionDeps, decideApproval } from '../../core/approvals/decide-approval.js';
import { APPROVE_ACTION, REJECT_ACTION } from './approval-blocks.js';
import { mentions } from './mention.js';
import { type SlackClientSource, slackClientOf } from './slack-client-source.js';
import { type SlackRequest, verifySlackRequest } from './verify-slack-request.js';

export interface SlackEndpointDeps extends DecisionDeps {
  slack: SlackClientSource;
  signingSecret: string;
}

const BlockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
});

export interface SlackResponse {
  status: number;
  body: string;
}

/**
 * Slack's interactivity endpoint: a click on Approve or Reject. Only a signed, fresh request from an allowed
 * approver changes anything, and only once: a second click, a replay or a click after the deadline is answered
 * politely (an ephemeral message to the clicker) and changes nothing. The message itself shows the outcome.
 */
export async function handleInteractivity(
  request: SlackRequest,
  deps: SlackEndpointDeps,
): Promise<SlackResponse> {
  const verified = verifySlackRequest(request, deps.signingSecret, deps.clock.now());
  if (!verified.ok) return { status: 401, body: verified.reason };
  let raw: unknown;
  try {
    raw = JSON.parse(new URLSearchParams(request.rawBody).get('payload') ?? '');
  } catch {
    return { status: 400, body: 'no interaction payload' };
  }
  const parsed = BlockActions.safeParse(raw);
  if (!parsed.success) return { status: 200, body: '' };
  const { user, actions } = parsed.data;
  const action = actions[0];
  if (!action?.value || (action.action_id !== APPROVE_ACTION && action.action_id !== REJECT_ACTION))
    return { status: 200, body: '' };

  // By user id only: a name can be changed by its owner and is not unique across Slack Connect (ADR 35).
  const shownAs = user.username ?? user.name;
  const result = await decideApproval(deps, {
    approvalId: action.value,
    approve: action.action_id === APPROVE_ACTION,
    by: user.id,
    via: `Slack user id${shownAs ? ` (named "${shownAs}" when deciding)` : ''}`,
  });
  const reply = {
    approved: undefined,
    rejected: undefined,
    unknown_approval: 'This approval is not known (any more); nothing changed.',
    not_an_approver: `Only ${'approvers' in result ? mentions(result.approvers) : 'the listed approvers'} may decide this deployment; nothing changed.`,
    already_decided: `This deployment was already ${'status' in result ? result.status : 'decided'}; nothing changed.`,
    expired: 'This approval has passed its deadline; nothing changed.',
  }[result.outcome];
  const channel = parsed.data.channel?.id ?? parsed.data.container?.channel_id;
  if (reply && channel) {
    await (await slackClientOf(deps.slack)).chat
      .postEphemeral({ channel, user: user.id, text: reply })
      .catch(() => undefined);
  }
  return { status: 200, body: '' };
}
