import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { approvalOutcomeBlocks, approvalRequestBlocks } from '../../chatops/slack/approval-blocks.js';
import { SlackNotifier } from '../../chatops/slack/slack-notifier.js';
import type { ApprovalView } from '../../core/ports/approval-channel.js';

/**
 * A version and a requester are whatever the person requesting a deployment typed, and that person need not be
 * an approver. Slack reads `<…>` in mrkdwn as a link or a special mention (`<!channel>`), so unescaped they let a
 * requester ping a whole channel or show the approver a disguised link. Slack's rule: escape &, < and >.
 */
const HOSTILE = '2.0 <!channel> <https://evil.example/review|see the reviewed diff> & more';

const view: ApprovalView = {
  approvalId: 'apr-1',
  deploymentId: 'd-1',
  service: 'web',
  environment: 'prod',
  version: HOSTILE,
  approvers: ['U0123456789'],
  context: {
    imageId: 'ami-1',
    trigger: 'artifact',
    requestedBy: `ci <!here>`,
    desiredCapacity: 2,
    liveVersion: '<@U0999999999> 1.9',
  },
  requestedAt: '2026-01-01T00:00:00Z',
  expiresAt: '2026-01-01T01:00:00Z',
  status: 'approved',
  decidedBy: 'U0123456789',
  decidedAt: '2026-01-01T00:10:00Z',
};

/** Every mrkdwn text of a set of blocks. */
function mrkdwnTexts(blocks: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') found.push(o.text);
      Object.values(o).forEach(visit);
    }
  };
  visit(blocks);
  return found;
}

describe('Slack approval messages: what a requester typed is shown, never interpreted', () => {
  it.each([
    ['request', approvalRequestBlocks],
    ['outcome', approvalOutcomeBlocks],
  ])('the %s message escapes the version, the requester and the live version', (_, blocks) => {
    const texts = mrkdwnTexts(blocks(view)).join('\n');
    expect(texts).toContain(
      '2.0 &lt;!channel&gt; &lt;https://evil.example/review|see the reviewed diff&gt; &amp; more',
    );
    expect(texts).toContain('ci &lt;!here&gt;');
    expect(texts).not.toMatch(/<!channel>|<!here>|<https:\/\/evil|<@U0999999999>/);
    // bakeshift's own markup still works: the approver's mention.
    expect(texts).toContain('<@U0123456789>');
  });
});

describe('Slack notifications: what a requester typed is shown, never interpreted', () => {
  it('a started notification escapes the version and the detail', async () => {
    const posted: string[] = [];
    const fakeClient = async () =>
      ({
        chat: { postMessage: async (m: { text: string }) => void posted.push(m.text) },
      }) as unknown as WebClient;
    await new SlackNotifier(fakeClient, async () => 'C1').notify({
      kind: 'started',
      deploymentId: 'd-1',
      service: 'web',
      environment: 'prod',
      version: HOSTILE,
      at: '2026-01-01T00:00:00Z',
      detail: 'artifact by ci <!here>',
    });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toContain('&lt;!channel&gt;');
    expect(posted[0]).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
  });
});
