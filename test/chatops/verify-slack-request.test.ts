import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackRequest } from '../../chatops/slack/verify-slack-request.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const now = new Date('2026-11-21T12:00:00Z');
const ts = now.getTime() / 1000;
const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

describe('Slack request signatures', () => {
  it('accepts a request signed with the signing secret', () => {
    expect(
      verifySlackRequest({ headers: signSlackRequest(body, SECRET, ts), rawBody: body }, SECRET, now),
    ).toEqual({ ok: true });
  });

  it('matches the example in Slack’s documentation', () => {
    // From Slack's "Verifying requests from Slack" guide.
    const rawBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = {
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    };
    expect(verifySlackRequest({ headers, rawBody }, SECRET, new Date(1531420618 * 1000))).toEqual({
      ok: true,
    });
  });

  it.each([
    [
      'a forged signature',
      { ...signSlackRequest(body, 'another-secret', ts) },
      body,
      'the signature does not match',
    ],
    ['a changed body', signSlackRequest(body, SECRET, ts), `${body}&x=1`, 'the signature does not match'],
    ['a stale timestamp', signSlackRequest(body, SECRET, ts - 301), body, 'too old'],
    ['no signature', {}, body, 'not signed by Slack'],
  ])('refuses %s', (_, headers, rawBody, reason) => {
    const result = verifySlackRequest({ headers, rawBody }, SECRET, now);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
