import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { SESSION_TOKEN_HEADER } from '../console-session.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** htmx must not add its own inline style (the CSP allows the console's stylesheet only). */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false });

/**
 * A page: the target it shows, the banners above everything (none yet; a freeze's will go there, see
 * console-app.ts `bannersOf`), where actions answer, the console's stylesheet and scripts (htmx with its SSE extension, uPlot, the
 * console's own), the session token every request sends, and the dialog every action's confirmation uses.
 */
export function page(
  title: string,
  target: string,
  sessionToken: string,
  body: Html,
  banners: Html | string = '',
): Html {
  const headers = JSON.stringify({ [SESSION_TOKEN_HEADER]: sessionToken });
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="htmx-config" content="${HTMX_CONFIG}" />
    <title>${title} · bakeshift</title>
    <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/assets/uPlot.min.css" />
    <link rel="stylesheet" href="/assets/console.css" />
    <script src="/assets/htmx.min.js"></script>
    <script src="/assets/sse.js"></script>
    <script src="/assets/console.js" defer></script>
    <script src="/assets/uPlot.iife.min.js" defer></script>
  </head>
  <body hx-headers="${headers}">
    <header><strong><a href="/">bakeshift</a></strong><a href="/">services</a><a href="/events">events</a><span class="target">${target}</span></header>
    <div id="banners">${banners}</div>
    <div id="action-result" role="status" aria-live="polite"></div>
    <main>${body}</main>
    <dialog id="confirm" aria-label="confirm">
      <form method="dialog"><p class="question"></p>
        <menu><button value="no">Cancel</button><button value="yes" class="primary">Confirm</button></menu>
      </form>
    </dialog>
  </body>
</html>`;
}

/** A region the server re-renders and pushes whenever it changes (htmx's SSE extension swaps it in). */
export function live(stream: string, event: string, content: Html): Html {
  return html`<div hx-ext="sse" sse-connect="${stream}"><div id="${event}" sse-swap="${event}">${content}</div></div>`;
}

export const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

/** A table that scrolls sideways inside its box on a narrow window, instead of squeezing its cells. */
export const wide = (table: Html): Html => html`<div class="table-wrap">${table}</div>`;
