import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

const COOKIE = 'bakeshift_console';
/** The header every mutating request carries: the page's per-session token (htmx sends it, see layout.ts). */
export const SESSION_TOKEN_HEADER = 'x-bakeshift-session';

const token = () => randomBytes(24).toString('base64url');
const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Who may use the console: whoever opens the login URL `bakeshift console` printed (it holds a one-time token,
 * as Jupyter's does). Opening it sets an HttpOnly, SameSite=Strict session cookie; each session has its own
 * token, put in the page, that every mutating request must carry besides the cookie. Other local users and
 * other sites see a 401 and never reach an operation.
 */
export class ConsoleSessions {
  private loginToken: string | undefined = token();
  private readonly sessions = new Map<string, string>();

  /** The path that logs in once; afterwards it is refused. */
  loginPath(): string {
    return `/login?token=${this.loginToken}`;
  }

  login(c: Context): boolean {
    const given = c.req.query('token') ?? '';
    if (!this.loginToken || !same(given, this.loginToken)) return false;
    this.loginToken = undefined;
    const session = token();
    this.sessions.set(session, token());
    setCookie(c, COOKIE, session, { httpOnly: true, sameSite: 'Strict', path: '/' });
    return true;
  }

  /** The session's token for its pages; undefined without a valid session cookie. */
  tokenOf(c: Context): string | undefined {
    const session = getCookie(c, COOKIE);
    return session ? this.sessions.get(session) : undefined;
  }

  /** Refuses a request without a session, and a mutating one without its session's token. */
  guard(): MiddlewareHandler {
    return async (c, next) => {
      const expected = this.tokenOf(c);
      if (!expected) return c.text('Open the login URL `bakeshift console` printed.', 401);
      const mutating = !['GET', 'HEAD'].includes(c.req.method);
      if (mutating && !same(c.req.header(SESSION_TOKEN_HEADER) ?? '', expected))
        return c.text(
          `this request lacks its session token (${SESSION_TOKEN_HEADER}): nothing was done`,
          403,
        );
      await next();
    };
  }
}
