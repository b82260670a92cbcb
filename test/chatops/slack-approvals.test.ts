import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleInteractivity } from '../../chatops/slack/interactivity.js';
import { SlackApprovalChannel } from '../../chatops/slack/slack-approval-channel.js';
import { SlackNotifier } from '../../chatops/slack/slack-notifier.js';
import { signSlackRequest } from '../../chatops/slack/verify-slack-request.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';
import { SlackStandIn } from '../support/slack-stand-in.js';

const SECRET = 'test-signing-secret';
/** Slack user ids: what the approvers list holds for Slack (ADR 35). */
const ALICE = { id: 'U0ALICE01', username: 'alice' };
const BOB = { id: 'U0BOB0001', username: 'bob' };
const slackStandIn = new SlackStandIn();
let web: WebClient;
beforeAll(async () => {
  web = await slackStandIn.start();
});
afterAll(async () => slackStandIn.stop());

/** The real flow with Slack as the approval channel and notifier (through the stand-in). */
function slackWorld(options: ConstructorParameters<typeof FakeWorld>[0] = {}) {
  const world = new FakeWorld({
    ...options,
    adapters: (w) => ({
      approvals: new SlackApprovalChannel(web),
      notifier: new SlackNotifier(web, async (service, environment) => {
        const { config } = await w.configs.load(service);
        return config.environments[environment]?.slack?.channel;
      }),
    }),
  });
  const config = webConfig() as ReturnType<typeof webConfig> & {
    environments: { prod: Record<string, unknown> };
  };
  Object.assign(config.environments.prod, { slack: { channel: 'C-PROD' } });
  (config.environments.prod.approval as { approvers: string[] }).approvers = [ALICE.id, BOB.id, 'carol'];
  world.configs.set('web', config);
  const ports = world.ports();
  const click = async (
    approvalId: string,
    approve: boolean,
    user: { id: string; username?: string },
    options: { secret?: string; ageSeconds?: number } = {},
  ) => {
    const payload = {
      type: 'block_actions',
      user,
      actions: [{ action_id: approve ? 'bakeshift_approve' : 'bakeshift_reject', value: approvalId }],
      channel: { id: 'C-PROD' },
    };
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = Math.floor(world.clock.now().getTime() / 1000) - (options.ageSeconds ?? 0);
    const headers = signSlackRequest(rawBody, options.secret ?? SECRET, timestamp);
    return handleInteractivity({ headers, rawBody }, { ...ports, slack: web, signingSecret: SECRET });
  };
  return { world, click };
}

const ephemeralTexts = () => slackStandIn.of('chat.postEphemeral').map((c) => String(c.args.text));
/** The last update of this approval's own message (another test's late update may land in between). */
const lastUpdateOf = async (world: FakeWorld, approvalId: string) => {
  const ts = (await world.store.getApproval(approvalId))?.message?.ts;
  expect(ts).toBeDefined();
  return slackStandIn
    .of('chat.update')
    .filter((c) => c.args.ts === ts)
    .at(-1);
};

describe('Slack approvals', () => {
  it('a signed click by an approver resumes the deployment once; replays, forgeries and strangers change nothing', async () => {
    const { world, click } = slackWorld();
    const execution = world.start(world.request({ version: '1.0.0', environment: 'prod' }));
    const approvalId = await slackStandIn.approvalIdAsked();
    const asked = slackStandIn.of('chat.postMessage').at(-1);
    expect(JSON.stringify(asked?.args.blocks)).toContain('preview it');
    expect(asked?.args.channel).toBe('C-PROD');

    expect(await click(approvalId, true, ALICE, { secret: 'forged' })).toMatchObject({ status: 401 });
    expect(await click(approvalId, true, ALICE, { ageSeconds: 600 })).toMatchObject({
      status: 401,
      body: expect.stringContaining('too old'),
    });
    expect(await click(approvalId, true, { id: 'U0MALLORY', username: 'mallory' })).toMatchObject({
      status: 200,
    });
    expect(ephemeralTexts().at(-1)).toBe(
      'Only <@U0ALICE01>, <@U0BOB0001>, carol may decide this deployment; nothing changed.',
    );
    expect((await world.store.getApproval(approvalId))?.status).toBe('pending');

    expect(await click(approvalId, true, ALICE)).toMatchObject({
      status: 200,
    });
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(await click(approvalId, true, ALICE)).toMatchObject({
      status: 200,
    });
    expect(ephemeralTexts().at(-1)).toBe('This deployment was already approved; nothing changed.');

    const update = await lastUpdateOf(world, approvalId);
    expect(update?.args.text).toBe('✅ Approved: web 1.0.0 to prod (<@U0ALICE01>)');
    expect(JSON.stringify(update?.args.blocks)).not.toContain('bakeshift_approve');
    const texts = slackStandIn.of('chat.postMessage').map((c) => String(c.args.text));
    expect(texts.some((t) => t.startsWith('🚀 web 1.0.0 → prod: started'))).toBe(true);
    expect(texts.some((t) => t.startsWith('🎉 web 1.0.0 → prod: succeeded'))).toBe(true);
  });

  it("decides by Slack user id only: a name that is an approver's (or a listed id's owner's) decides nothing", async () => {
    const { world, click } = slackWorld();
    const request = world.request({ version: '1.0.0', environment: 'prod' });
    const execution = world.start(request);
    const approvalId = await slackStandIn.approvalIdAsked();
    // Names are chosen by their owners and are not unique across Slack Connect.
    for (const username of ['carol', 'alice', ALICE.id])
      await click(approvalId, true, { id: 'U0MALLORY', username });
    expect((await world.store.getApproval(approvalId))?.status).toBe('pending');
    expect(ephemeralTexts().at(-1)).toBe(
      'Only <@U0ALICE01>, <@U0BOB0001>, carol may decide this deployment; nothing changed.',
    );

    await click(approvalId, true, { id: ALICE.id, username: 'renamed-alice' });
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    expect(await world.store.getDeployment(request.deploymentId)).toMatchObject({
      approvedBy: ALICE.id,
      approvedVia: 'Slack user id (named "renamed-alice" when deciding)',
    });
  });

  it('two clicks at once (approve and reject) decide once', async () => {
    const { world, click } = slackWorld();
    const execution = world.start(world.request({ version: '1.0.0', environment: 'prod' }));
    const approvalId = await slackStandIn.approvalIdAsked();
    await Promise.all([click(approvalId, true, ALICE), click(approvalId, false, BOB)]);
    const outcome = await execution.outcome;
    const ticket = await world.store.getApproval(approvalId);
    expect(ticket?.status === 'approved' ? 'SUCCEEDED' : 'FAILED').toBe(outcome.status);
    expect(ephemeralTexts().at(-1)).toMatch(
      /^This deployment was already (approved|rejected); nothing changed.$/,
    );
  });

  it('a rejection (by Slack user id) compensates without any traffic shift, and the message says so', async () => {
    const { world, click } = slackWorld();
    const request = world.request({ version: '1.0.0', environment: 'prod' });
    const execution = world.start(request);
    const approvalId = await slackStandIn.approvalIdAsked();
    await click(approvalId, false, BOB);
    expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
    expect(world.statesEntered(execution)).not.toContain('ShiftTraffic');
    expect((await lastUpdateOf(world, approvalId))?.args.text).toBe(
      '❌ Rejected: web 1.0.0 to prod (<@U0BOB0001>)',
    );
    expect(
      slackStandIn
        .of('chat.postMessage')
        .some((c) =>
          String(c.args.text).includes(
            'rolled back (RequestApproval failed with ApprovalRejected: rejected by U0BOB0001)',
          ),
        ),
    ).toBe(true);
  });

  it('no answer: the approval times out, the deployment compensates, the message is closed, a late click changes nothing', async () => {
    const { world, click } = slackWorld({ timing: { callbackTimeoutMs: 30 } });
    world.advanceOnCall.RequestApproval = 3600;
    const execution = world.start(world.request({ version: '1.0.0', environment: 'prod' }));
    const approvalId = await slackStandIn.approvalIdAsked();
    expect(await execution.outcome).toMatchObject({ status: 'FAILED', error: 'ApprovalTimedOut' });
    expect((await lastUpdateOf(world, approvalId))?.args.text).toBe(
      '⌛ Closed without a decision: web 1.0.0 to prod (timeout)',
    );

    await click(approvalId, true, ALICE);
    expect(ephemeralTexts().at(-1)).toBe('This deployment was already expired; nothing changed.');
    expect((await world.store.getApproval(approvalId))?.status).toBe('expired');
  });

  it('never puts a task token in a Slack message', async () => {
    const { world, click } = slackWorld();
    const execution = world.start(world.request({ version: '1.0.0', environment: 'prod' }));
    const approvalId = await slackStandIn.approvalIdAsked();
    const token = (await world.store.getApproval(approvalId))?.taskToken;
    await click(approvalId, true, ALICE);
    await execution.outcome;
    expect(token).toBeDefined();
    expect(slackStandIn.calls.filter((c) => c.raw.includes(token ?? 'no-token'))).toEqual([]);
  });
});
