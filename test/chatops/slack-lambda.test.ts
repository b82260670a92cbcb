import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../chatops/slack/verify-slack-request.js';
import { createSlackCommands, createSlackInteractivity } from '../../functions/slack-endpoints.js';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { FakeWorld } from '../support/fake-world.js';
import { SlackStandIn } from '../support/slack-stand-in.js';

const SECRET = 'lambda-signing-secret';
const slack = new SlackStandIn();
let world: FakeWorld;
let commands: ReturnType<typeof createSlackCommands>;
let interactivity: ReturnType<typeof createSlackInteractivity>;
beforeAll(async () => {
  const client = await slack.start();
  world = new FakeWorld();
  const secret = async () => SECRET;
  commands = createSlackCommands({
    store: world.store,
    configs: world.configs,
    clock: world.clock,
    starter: { start: async () => ({ started: true }) },
    signingSecret: secret,
  });
  interactivity = createSlackInteractivity({ ...world.ports(), slack: client, signingSecret: secret });
});
afterAll(async () => slack.stop());

/** A Lambda function URL event, as AWS delivers Slack's POST (base64 when the body is form-encoded). */
function functionUrlEvent(rawBody: string, secret = SECRET): APIGatewayProxyEventV2 {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(rawBody, secret, Math.floor(world.clock.now().getTime() / 1000)),
    },
    body: Buffer.from(rawBody).toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

describe('the Slack endpoints as Lambda functions', () => {
  it('answer a signed slash command from a function URL event', async () => {
    const response = await commands(
      functionUrlEvent('text=status+web&user_id=U1&user_name=ann'),
      localLambdaContext('SlackCommands', 10),
    );
    expect(response).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(String(response.body)).text).toContain('web/staging: nothing live');
  });

  it('refuse a click whose signature does not match', async () => {
    const response = await interactivity(
      functionUrlEvent('payload=%7B%7D', 'forged'),
      localLambdaContext('SlackInteractivity', 10),
    );
    expect(response).toMatchObject({ statusCode: 401, body: 'the signature does not match' });
  });
});
