import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { SESSION_TOKEN_HEADER } from '../console-session.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `
body{font:14px system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:baseline}
header a{color:#fff;text-decoration:none}main{padding:16px 20px}
table{border-collapse:collapse;background:#fff;margin:8px 0 20px;min-width:60%}
th,td{border-bottom:1px solid #e3e6eb;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}.ok{color:#137333}.failed{color:#b3261e}.running{color:#8a5a00}
.bar{display:flex;height:14px;width:240px;background:#e3e6eb}.bar span{background:#3367d6;color:#fff;font-size:10px;overflow:hidden}
.bar span+span{background:#0b8043}button{margin-right:6px;padding:4px 12px}code{font-size:12px}`;

/** A page: the target it shows, htmx with its SSE extension, and the session token every request sends. */
export function page(title: string, target: string, sessionToken: string, body: Html): Html {
  const headers = JSON.stringify({ [SESSION_TOKEN_HEADER]: sessionToken });
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title} · bakeshift</title>
    <style>${STYLE}</style>
    <script src="/assets/htmx.min.js"></script>
    <script src="/assets/sse.js"></script>
  </head>
  <body hx-headers="${headers}">
    <header><strong><a href="/">bakeshift</a></strong><span>${target}</span><a href="/events">events</a></header>
    <main>${body}</main>
  </body>
</html>`;
}

/** A region the server re-renders and pushes whenever it changes (htmx's SSE extension swaps it in). */
export function live(stream: string, event: string, content: Html): Html {
  return html`<div hx-ext="sse" sse-connect="${stream}"><div id="${event}" sse-swap="${event}">${content}</div></div>`;
}

export const when = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');
