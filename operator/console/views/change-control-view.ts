import { html } from 'hono/html';
import { describeFreeze, type Freeze } from '../../../core/freezes/freeze.js';
import type { DeliveryFigures } from '../../../core/stats/delivery-figures.js';
import { type Html, wide } from './layout.js';

/** The banner every page shows while a freeze is in force: each freeze, its scope, end, who and why. */
export function freezeBanner(freezes: readonly Freeze[]): Html | string {
  if (freezes.length === 0) return '';
  return html`<div class="banner frozen" id="freeze-banner" role="status">
    <strong>Deployments frozen</strong> (rollbacks pass; an approver can override):
    <ul>${freezes.map((f) => html`<li>${describeFreeze(f)}</li>`)}</ul>
    <a href="/change-control">freezes and delivery figures</a>
  </div>`;
}

const seconds = (value: number | null) =>
  value === null ? '–' : value < 7200 ? `${Math.round(value / 60)} min` : `${(value / 3600).toFixed(1)} h`;
const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 100)} %`);

/** The freeze list and DORA's four figures per service and environment (core/stats/delivery-figures.ts). */
export function changeControlView(freezes: readonly Freeze[], figures: readonly DeliveryFigures[]): Html {
  const period = figures[0] ? `${figures[0].since.slice(0, 10)} to ${figures[0].until.slice(0, 10)}` : '';
  return html`<h2>Freezes</h2>
    ${freezes.length ? html`<ul id="freezes">${freezes.map((f) => html`<li>${describeFreeze(f)}</li>`)}</ul>` : html`<p id="freezes">no freezes in force</p>`}
    <h2>Delivery figures <span class="muted">${period}</span></h2>
    ${wide(html`<table id="delivery-figures"><tr><th>service</th><th>environment</th><th>deployments</th><th>per day</th><th>lead time</th><th>change failure rate</th><th>time to restore</th></tr>
    ${figures.map(
      (f) => html`<tr>
        <td>${f.service}</td><td>${f.environment}</td><td>${f.deployments}</td>
        <td>${f.deploymentsPerDay.toFixed(2)}</td><td>${seconds(f.leadTimeSeconds)}</td>
        <td>${percent(f.changeFailureRate)} (${f.failedChanges})</td><td>${seconds(f.timeToRestoreSeconds)}</td>
      </tr>`,
    )}</table>`)}`;
}
