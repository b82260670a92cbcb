import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import type { Operations } from '../../core/operations/operations.js';
import { ConsoleSessions } from './console-session.js';
import { deploymentView } from './views/deployment-view.js';
import { eventsView, historyView } from './views/history-view.js';
import { type Html, live, page } from './views/layout.js';
import { overviewView } from './views/overview-view.js';

const require = createRequire(import.meta.url);
/** The browser side: htmx and its SSE extension, served from their npm packages. */
const ASSETS: Record<string, string> = {
  'htmx.min.js': require.resolve('htmx.org/dist/htmx.min.js'),
  'sse.js': require.resolve('htmx-ext-sse/dist/sse.js'),
};
/** A live region stays open at most this long; htmx's extension reconnects, so every loop here is bounded. */
const STREAM_LIFETIME_MS = 15 * 60_000;

export interface ConsoleOptions {
  operations: Operations;
  /** Shown in the header: `local (~/.bakeshift)` or `aws (eu-west-1)`. */
  target: string;
  /** The origin the console is served at (requests from any other are refused). */
  origin: string;
  /** Whom a decision is made as, as the target's own CLI states it (the target authenticates it). */
  approverName: () => Promise<string>;
  /** How often a live region is re-rendered (less often on AWS: every render is API calls). */
  pollMs: number;
  sessions?: ConsoleSessions;
}

const text = async (content: Html) => String(await content);

/** In-flight deployments that wait for a person's decision, as the status says. */
const pendingApprovals = (status: Awaited<ReturnType<Operations['status']>>) =>
  status.services.flatMap((s) =>
    s.inFlight
      .filter((d) => d.awaitingApproval)
      .map((d) => ({ ...d, service: s.service, environment: s.environment })),
  );

/** A stream that pushes the region whenever its rendering changes, until the page goes away. */
function liveRegion(c: Context, event: string, render: () => Promise<string>, pollMs: number) {
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    let last = '';
    const deadline = Date.now() + STREAM_LIFETIME_MS;
    while (open && Date.now() < deadline) {
      const fragment = await render().catch((error: Error) =>
        text(html`<p class="failed">could not read: ${error.message}</p>`),
      );
      if (fragment !== last) await stream.writeSSE({ event, data: fragment });
      last = fragment;
      await stream.sleep(pollMs);
    }
  });
}

/**
 * The web console: every service × environment with its live release and traffic split, deployments with a
 * live timeline, approvals with buttons, history and events; server-rendered (hono's html templates, which
 * escape), live regions pushed over SSE and swapped in by htmx. Only for the session that logged in.
 */
export function consoleApp(options: ConsoleOptions): { app: Hono; sessions: ConsoleSessions } {
  const { operations, pollMs } = options;
  const sessions = options.sessions ?? new ConsoleSessions();
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"] },
    }),
  );
  app.use(csrf({ origin: options.origin }));
  app.get('/assets/:name', async (c) => {
    const file = ASSETS[c.req.param('name')];
    if (!file) return c.notFound();
    return c.body(await readFile(file, 'utf8'), 200, { 'content-type': 'text/javascript' });
  });
  app.get('/login', (c) =>
    sessions.login(c) ? c.redirect('/') : c.text('this login link was used already or is wrong', 401),
  );
  app.use(sessions.guard());
  const pageOf = (c: Context, title: string, body: Html) =>
    c.html(page(title, options.target, sessions.tokenOf(c) ?? '', body));

  const overview = async () => {
    const status = await operations.status({});
    return text(overviewView(status, pendingApprovals(status)));
  };
  app.get('/', (c) => pageOf(c, 'services', live('/stream/overview', 'overview', html`loading…`)));
  app.get('/stream/overview', (c) => liveRegion(c, 'overview', overview, pollMs));

  const deployment = async (deploymentId: string) => {
    const current = await operations.deployment({ deploymentId });
    // The preview URL is shown only while the deployment runs: the status is read only then.
    const status = current.record?.status === 'in_progress' ? await operations.status({}) : undefined;
    const where = status?.services.find(
      (s) => s.service === current.record?.service && s.environment === current.record.environment,
    );
    return text(deploymentView(deploymentId, current, where?.previewUrl ?? null));
  };
  app.get('/deployments/:id', (c) => {
    const id = c.req.param('id');
    return pageOf(c, id, live(`/stream/deployments/${encodeURIComponent(id)}`, 'deployment', html`loading…`));
  });
  app.get('/stream/deployments/:id', (c) =>
    liveRegion(c, 'deployment', () => deployment(c.req.param('id')), pollMs),
  );

  app.post('/deployments/:id/decision', async (c) => {
    const form = await c.req.parseBody();
    const deploymentId = c.req.param('id');
    const approve = form.approve === 'true';
    try {
      const { outcome } = await operations.decide({
        deploymentId,
        approve,
        by: await options.approverName(),
      });
      return c.html(html`<span class="decided">${outcome}</span>`);
    } catch (error) {
      return c.html(html`<span class="refused failed">${(error as Error).message}</span>`);
    }
  });

  app.get('/history/:service/:environment', async (c) => {
    const { service, environment } = c.req.param();
    const records = await operations.history({ service, environment, limit: 50 });
    return pageOf(c, `${service}/${environment}`, historyView(service, environment, records));
  });
  const events = async () => text(eventsView((await operations.events({ after: 0 })).events.slice(-200)));
  app.get('/events', (c) => pageOf(c, 'events', live('/stream/events', 'events', html`loading…`)));
  app.get('/stream/events', (c) => liveRegion(c, 'events', events, pollMs));
  return { app, sessions };
}
