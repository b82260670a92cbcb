import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../chatops/slack/verify-slack-request.js';
import { writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { newApiAccess } from '../../local/api/api-access.js';
import { localApiBackends, startApiServer } from '../../local/api/api-server.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { SlackStandIn } from '../support/slack-stand-in.js';

const SECRET = 'local-signing-secret';
const slack = new SlackStandIn();
let home: string;
let controlPlane: ControlPlane;
let api: { url: string; server: Server };

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-slack-local-'));
  await mkdir(join(home, 'services'));
  await writeHelloServiceConfig(join(home, 'services'), {
    slack: { channel: 'C-HELLO', rollbackAllowlist: [] },
  });
  const client = await slack.start();
  ({ controlPlane } = await ControlPlane.start({
    home,
    servicesDir: join(home, 'services'),
    slack: { botToken: 'xoxb-local', signingSecret: SECRET, apiUrl: client.slackApiUrl },
  }));
  api = await startApiServer(localApiBackends(controlPlane, newApiAccess()), 0);
}, 30_000);

afterAll(async () => {
  api.server.close();
  await controlPlane.stop();
  await slack.stop();
  await rm(home, { recursive: true, force: true });
});

async function post(path: string, rawBody: string, secret = SECRET) {
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    ...signSlackRequest(rawBody, secret, Math.floor(Date.now() / 1000)),
  };
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers, body: rawBody });
  return { status: response.status, text: await response.text() };
}

describe('Slack endpoints on the local control plane', () => {
  it('answers a signed /bakeshift command on POST /slack/commands', async () => {
    const response = await post(
      '/slack/commands',
      new URLSearchParams({ text: 'status hello', user_id: 'U1', user_name: 'ann' }).toString(),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      response_type: 'ephemeral',
      text: '• hello/staging: nothing live',
    });
  });

  it('refuses an unsigned request, and answers a click on an unknown approval politely', async () => {
    expect((await post('/slack/commands', 'text=status+hello', 'wrong-secret')).status).toBe(401);
    const payload = {
      type: 'block_actions',
      user: { id: 'U1', username: 'ann' },
      actions: [{ action_id: 'bakeshift_approve', value: 'nope' }],
      channel: { id: 'C-HELLO' },
    };
    const click = await post(
      '/slack/interactivity',
      `payload=${encodeURIComponent(JSON.stringify(payload))}`,
    );
    expect(click.status).toBe(200);
    expect(slack.of('chat.postEphemeral').at(-1)?.args).toMatchObject({
      channel: 'C-HELLO',
      user: 'U1',
      text: 'This approval is not known (any more); nothing changed.',
    });
  });
});
