import { html } from 'hono/html';
import type { Html } from './layout.js';

/**
 * What a login link that was used already (or is wrong) answers: each link works once, so say how to get
 * another rather than a bare 401.
 */
export function loginRefusedView(target: string): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>login link used · bakeshift</title>
    <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/assets/console.css" />
  </head>
  <body>
    <div class="login" id="login-refused">
      <h2>This login link was used already</h2>
      <p>Each link <code>bakeshift console</code> prints opens the console once, in one browser (its session
        cookie is the key from then on). If that browser still has the console open, use it.</p>
      <p>To get a new link, stop <code>bakeshift console</code> (Ctrl-C) and start it again: it prints a fresh
        <code>open http://127.0.0.1:…/login?token=…</code> line.</p>
      <p class="muted">${target}</p>
    </div>
  </body>
</html>`;
}
