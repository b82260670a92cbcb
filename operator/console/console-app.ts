import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import type { Operations } from '../../core/operations/operations.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { chartDataOf } from './chart-data.js';
import { ConsoleSessions } from './console-session.js';
import { flowShapeOf } from './flow-shape.js';
import { actionRoutes } from './routes/action-routes.js';
import { changeControlView, freezeBanner } from './views/change-control-view.js';
import { chartsSection, deploymentDetails, deploymentHead } from './views/deployment-view.js';
import { eventsView, historyView } from './views/history-view.js';
import { type Html, live, page } from './views/layout.js';
import { loginRefusedView } from './views/login-view.js';
import { overviewView } from './views/overview-view.js';

const require = createRequire(import.meta.url);
const own = (name: string) => new URL(`./browser/${name}`, import.meta.url);
/** The browser side, served from their npm packages and the console's own folder: no CDN, no build step. */
const ASSETS: Record<string, { file: string | URL; type: string }> = {
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript' },
  'sse.js': { file: require.resolve('htmx-ext-sse/dist/sse.js'), type: 'text/javascript' },
  'uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css' },
  'console.js': { file: own('console.js'), type: 'text/javascript' },
  'console.css': { file: own('console.css'), type: 'text/css' },
  'favicon.svg': { file: own('favicon.svg'), type: 'image/svg+xml' },
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

/**
 * A stream that pushes each of a page's regions whenever its rendering changes, until the page goes away.
 * `render` gives each region's name and content (HTML, or JSON for the charts).
 */
function liveRegions(
  c: Context,
  render: () => Promise<Record<string, string>>,
  pollMs: number,
  /** The region that shows a failure to read (undefined: the stream just waits for the next render). */
  failureRegion: string | undefined,
) {
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    const last = new Map<string, string>();
    const deadline = Date.now() + STREAM_LIFETIME_MS;
    while (open && Date.now() < deadline) {
      const regions = await render().catch(
        async (error: Error): Promise<Record<string, string>> =>
          failureRegion
            ? { [failureRegion]: await text(html`<p class="failed">could not read: ${error.message}</p>`) }
            : {},
      );
      for (const [event, data] of Object.entries(regions)) {
        if (last.get(event) !== data) await stream.writeSSE({ event, data });
        last.set(event, data);
      }
      await stream.sleep(pollMs);
    }
  });
}

/**
 * Banners shown above every page. None yet: the freezes work adds its banner here (a frozen environment, who
 * froze it and until when), rendered with views/layout.ts's `.banner` style.
 */
/** The freeze banner; none when the freezes cannot be read (the page itself still shows). */
async function bannersOf(operations: Operations): Promise<Html | string> {
  const freezes = await operations.freezes({}).catch(() => ({ freezes: [] }));
  return freezeBanner(freezes.freezes);
}

/** What needs no session: the assets (a refused login's page uses them too), the favicon, the login link. */
function publicRoutes(app: Hono, sessions: ConsoleSessions, target: string) {
  app.get('/assets/:name', async (c) => {
    const asset = ASSETS[c.req.param('name')];
    if (!asset) return c.notFound();
    return c.body(await readFile(asset.file), 200, {
      'content-type': asset.type,
      'cache-control': 'private, max-age=300',
    });
  });
  app.get('/favicon.ico', (c) => c.redirect('/assets/favicon.svg', 301));
  app.get('/login', (c) => (sessions.login(c) ? c.redirect('/') : c.html(loginRefusedView(target), 401)));
}

/** The console's strict CSP: its own scripts, styles and images only; no inline script or style, no frames. */
const SECURE_HEADERS = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
});

/**
 * The web console: every service × environment with its live release and traffic split, deployments drawn as
 * their flow with live charts of green against blue, approvals, rollbacks and promotions (each confirmed),
 * history and events; server-rendered (hono's html templates, which escape), live regions pushed over SSE and
 * swapped in by htmx. Only for the session that logged in.
 */
export function consoleApp(options: ConsoleOptions): { app: Hono; sessions: ConsoleSessions } {
  const { operations, pollMs } = options;
  const sessions = options.sessions ?? new ConsoleSessions();
  const shape = flowShapeOf(loadDeployDefinition());
  const app = new Hono();
  app.use(SECURE_HEADERS);
  app.use(csrf({ origin: options.origin }));
  publicRoutes(app, sessions, options.target);
  app.use(sessions.guard());
  const pageOf = async (c: Context, title: string, body: Html) =>
    c.html(page(title, options.target, sessions.tokenOf(c) ?? '', body, await bannersOf(operations)));

  const overview = async () => {
    const status = await operations.status({});
    return { overview: await text(overviewView(status, pendingApprovals(status))) };
  };
  app.get('/', (c) => pageOf(c, 'services', live('/stream/overview', 'overview', html`loading…`)));
  app.get('/stream/overview', (c) => liveRegions(c, overview, pollMs, 'overview'));

  const deployment = async (deploymentId: string) => {
    const current = await operations.deployment({ deploymentId });
    // The traffic split and preview are shown only while the deployment runs: the status is read only then.
    const status = current.record?.status === 'in_progress' ? await operations.status({}) : undefined;
    const where = status?.services.find(
      (s) => s.service === current.record?.service && s.environment === current.record.environment,
    );
    return {
      deployment: await text(deploymentHead(deploymentId, current, shape, where)),
      details: await text(deploymentDetails(current)),
    };
  };
  app.get('/deployments/:id', (c) => {
    const id = c.req.param('id');
    const stream = `/stream/deployments/${encodeURIComponent(id)}`;
    return pageOf(
      c,
      id,
      html`<div hx-ext="sse" sse-connect="${stream}">
        <div id="deployment" sse-swap="deployment">loading…</div>
        ${chartsSection(id)}
        <div id="details" sse-swap="details"></div>
      </div>`,
    );
  });
  app.get('/stream/deployments/:id', (c) =>
    liveRegions(c, () => deployment(c.req.param('id')), pollMs, 'deployment'),
  );
  const metrics = async (deploymentId: string) => {
    const [points, current] = await Promise.all([
      operations.metrics({ deploymentId }),
      operations.deployment({ deploymentId }),
    ]);
    return { metrics: JSON.stringify(chartDataOf(points, current.record)) };
  };
  // Each render of the charts reads every period's figures: less often than the page's other regions.
  app.get('/stream/deployments/:id/metrics', (c) =>
    liveRegions(c, () => metrics(c.req.param('id')), pollMs * 4, undefined),
  );

  actionRoutes(app, operations, options.approverName);

  app.get('/history/:service/:environment', async (c) => {
    const { service, environment } = c.req.param();
    const records = await operations.history({ service, environment, limit: 50 });
    return pageOf(c, `${service}/${environment}`, historyView(service, environment, records));
  });
  const events = async () => ({
    events: await text(eventsView((await operations.events({ after: 0 })).events.slice(-200))),
  });
  app.get('/change-control', async (c) => {
    const [{ freezes }, { figures }] = await Promise.all([operations.freezes({}), operations.stats({})]);
    return pageOf(c, 'change control', changeControlView(freezes, figures));
  });
  app.get('/events', (c) => pageOf(c, 'events', live('/stream/events', 'events', html`loading…`)));
  app.get('/stream/events', (c) => liveRegions(c, events, pollMs, 'events'));
  return { app, sessions };
}
