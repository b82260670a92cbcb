import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack signs each request: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's signing secret. */
export interface SlackRequest {
  headers: Record<string, string | undefined>;
  rawBody: string;
}

/** Older requests are refused: a captured request cannot be replayed later. */
export const MAX_REQUEST_AGE_SECONDS = 5 * 60;

export type Verification = { ok: true } | { ok: false; reason: string };

export function verifySlackRequest(request: SlackRequest, signingSecret: string, now: Date): Verification {
  const header = (name: string) => request.headers[name] ?? request.headers[name.toLowerCase()];
  const timestamp = header('x-slack-request-timestamp');
  const signature = header('x-slack-signature');
  if (!timestamp || !signature) return { ok: false, reason: 'the request is not signed by Slack' };
  const age = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (!Number.isFinite(age) || age > MAX_REQUEST_AGE_SECONDS) {
    return {
      ok: false,
      reason: 'the request is too old (or its clock is wrong): refused as a possible replay',
    };
  }
  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${request.rawBody}`).digest('hex')}`;
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  // Constant-time comparison: the time taken says nothing about how much of the signature matched.
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { ok: false, reason: 'the signature does not match' };
  }
  return { ok: true };
}

/** Signs a request as Slack does: for the local stand-in's tests and for tools that replay captured requests. */
export function signSlackRequest(rawBody: string, signingSecret: string, timestamp: number) {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}
