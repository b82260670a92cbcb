import type { ApprovalView } from '../../core/ports/approval-channel.js';
import { mention, mentions } from './mention.js';
import { slackText } from './slack-text.js';

export const APPROVE_ACTION = 'bakeshift_approve';
export const REJECT_ACTION = 'bakeshift_reject';

const when = (iso: string) =>
  `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;

function facts(view: ApprovalView) {
  const c = view.context;
  return [
    `*Service*\n${slackText(view.service)}`,
    `*Environment*\n${slackText(view.environment)}`,
    `*Version*\n${slackText(view.version)}`,
    `*Image*\n${slackText(c.imageId)}`,
    `*Live now*\n${c.liveVersion === undefined ? 'nothing (first deployment)' : slackText(c.liveVersion)}`,
    `*Capacity*\n${c.desiredCapacity} instances`,
    `*Trigger*\n${slackText(c.trigger)} by ${slackText(c.requestedBy)}`,
    `*Decide before*\n${when(view.expiresAt)}`,
  ].map((text) => ({ type: 'mrkdwn', text }));
}

/**
 * The request message: what is going where, what is live, how to look at green first, and the two buttons. The
 * buttons carry only the opaque approval id: never the task token.
 */
export function approvalRequestBlocks(view: ApprovalView) {
  return [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: `${view.evidence ? 'Go on with' : 'Approve'} ${view.service} ${view.version} to ${view.environment}?`,
      },
    },
    { type: 'section', fields: facts(view) },
    ...(view.evidence
      ? [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: `*In doubt at ${slackText(view.evidence.step)}*: approve to go on, reject to roll back.\n${slackText(view.evidence.reason)}`,
            },
          },
        ]
      : view.context.previewUrl
        ? [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `Green is up: <${view.context.previewUrl}|preview it> before it takes traffic.`,
              },
            },
          ]
        : []),
    {
      type: 'actions',
      block_id: 'bakeshift_decision',
      elements: [
        {
          type: 'button',
          style: 'primary',
          action_id: APPROVE_ACTION,
          value: view.approvalId,
          text: { type: 'plain_text', text: 'Approve' },
        },
        {
          type: 'button',
          style: 'danger',
          action_id: REJECT_ACTION,
          value: view.approvalId,
          text: { type: 'plain_text', text: 'Reject' },
        },
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Approvers: ${mentions(view.approvers)}` }] },
  ];
}

const OUTCOMES = {
  approved: '✅ Approved',
  rejected: '❌ Rejected',
  expired: '⌛ Closed without a decision',
  pending: '⏳ Waiting',
} as const;

/** The same message once decided: the buttons are gone, the outcome says who and when. */
export function approvalOutcomeBlocks(view: ApprovalView) {
  const who =
    view.decidedBy && view.status !== 'expired'
      ? ` by ${mention(view.decidedBy)}`
      : view.decidedBy
        ? ` (${mention(view.decidedBy)})`
        : '';
  const at = view.decidedAt ? ` ${when(view.decidedAt)}` : '';
  return [
    {
      type: 'header',
      text: { type: 'plain_text', text: `${view.service} ${view.version} to ${view.environment}` },
    },
    { type: 'section', fields: facts(view) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${OUTCOMES[view.status]}${who}${at}` }] },
  ];
}

export const outcomeText = (view: ApprovalView) =>
  `${OUTCOMES[view.status]}: ${slackText(`${view.service} ${view.version} to ${view.environment}`)}${view.decidedBy ? ` (${mention(view.decidedBy)})` : ''}`;
