import { html } from 'hono/html';
import { summarizeDrift } from '../../../core/congruence/drift-report.js';
import { formatDurations, phaseDurations } from '../../../core/deployment/phase-durations.js';
import type { OperationResults } from '../../../core/operations/operations.js';
import { type Html, when } from './layout.js';

/** A service+environment's deployments, newest first: phases and durations, who asked and approved, why it ended. */
export function historyView(
  service: string,
  environment: string,
  records: OperationResults['history'],
): Html {
  return html`<h2>${service}/${environment}: history</h2>
    <table id="history"><tr><th>requested</th><th>version</th><th>outcome</th><th>who</th><th>phases</th><th>cause / drift</th></tr>
    ${records.map(
      (r) => html`<tr data-deployment="${r.deploymentId}">
        <td><a href="/deployments/${r.deploymentId}">${when(r.requestedAt)}</a></td><td>${r.version}</td>
        <td class="${r.status === 'succeeded' ? 'ok' : r.status === 'rolled_back' ? 'failed' : 'running'}">${r.status}</td>
        <td>${r.trigger} by ${r.requestedBy}${r.approvedBy ? `, approved by ${r.approvedBy}` : ''}</td>
        <td>${formatDurations(phaseDurations(r, new Date(r.finishedAt ?? Date.now())))}</td>
        <td>${r.failure ? `${r.failure.step}: ${r.failure.error}: ${r.failure.cause}` : ''}${r.drift ? ` drift: ${summarizeDrift(r.drift)}` : ''}</td>
      </tr>`,
    )}</table>`;
}

/** The event stream, newest first. */
export function eventsView(events: Record<string, unknown>[]): Html {
  return html`<table id="events"><tr><th>time</th><th>event</th></tr>${[...events]
    .reverse()
    .map(
      (e) =>
        html`<tr><td>${String(e.time ?? '')}</td><td>${String(e.kind ?? e.type ?? '')} ${String(e.service ?? '')}/${String(e.environment ?? '')} ${String(e.version ?? '')} ${String(e.detail ?? '')}</td></tr>`,
    )}</table>`;
}
