import { html } from 'hono/html';
import { summarizeDrift } from '../../../core/congruence/drift-report.js';
import { formatDurations, phaseDurations } from '../../../core/deployment/phase-durations.js';
import type { OperationResults } from '../../../core/operations/operations.js';
import { type Html, when, wide } from './layout.js';

const outcomeClass = (status: string) =>
  status === 'succeeded' ? 'ok' : status === 'rolled_back' ? 'failed' : 'running';

/** A long text cut to a few lines (the whole of it in its tooltip, and on the deployment's page). */
const clamped = (text: string) => (text ? html`<div class="clamp" title="${text}">${text}</div>` : '');

/**
 * A service+environment's deployments, newest first: version and image, phases and durations, who asked and
 * approved, why it ended. No cell wraps but the cause, cut to three lines; a narrow window scrolls the table
 * sideways rather than squeezing it into a column of fragments.
 */
export function historyView(
  service: string,
  environment: string,
  records: OperationResults['history'],
): Html {
  return html`<h2>${service}/${environment}: history</h2>
    ${wide(html`<table id="history"><tr><th>requested</th><th>version</th><th>image</th><th>outcome</th><th>who</th><th>phases</th><th>cause / drift</th></tr>
    ${records.map(
      (r) => html`<tr data-deployment="${r.deploymentId}">
        <td class="nowrap"><a href="/deployments/${r.deploymentId}">${when(r.requestedAt)}</a></td>
        <td class="nowrap">${r.version}</td>
        <td class="nowrap"><code>${r.imageId ?? '–'}</code>${r.imageReused ? html` <span class="muted">(reused)</span>` : ''}</td>
        <td class="nowrap ${outcomeClass(r.status)}">${r.status}</td>
        <td class="nowrap">${r.trigger} by ${r.requestedBy}${r.approvedBy ? `, approved by ${r.approvedBy}` : ''}</td>
        <td class="nowrap">${formatDurations(phaseDurations(r, new Date(r.finishedAt ?? Date.now())))}</td>
        <td>${clamped(`${r.failure ? `${r.failure.step}: ${r.failure.error}: ${r.failure.cause}` : ''}${r.drift ? ` drift: ${summarizeDrift(r.drift)}` : ''}`)}</td>
      </tr>`,
    )}</table>`)}`;
}

type EventLine = Record<string, unknown>;
const text = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/** One event as a person reads it, whichever shape it has (a deployment's, or an approval's with its view). */
function describeEvent(e: EventLine) {
  const view = (e.view ?? {}) as EventLine;
  const about = { ...view, ...e } as EventLine;
  const approvers = Array.isArray(view.approvers) ? view.approvers.join(', ') : '';
  const what =
    e.type === 'approval'
      ? 'approval requested'
      : e.type === 'approval_outcome'
        ? `approval ${text(view.status)}`
        : text(e.kind ?? e.type).replaceAll('_', ' ');
  const detail =
    text(e.detail) ||
    (e.type === 'approval' && approvers ? `approvers: ${approvers}` : '') ||
    (view.decidedBy ? `by ${text(view.decidedBy)}` : '');
  const where = about.service ? `${text(about.service)}/${text(about.environment)}` : '';
  return { what, where, version: text(about.version), deploymentId: text(about.deploymentId), detail };
}

/** The event stream, newest first: what happened, where, to which version, and the details. */
export function eventsView(events: EventLine[]): Html {
  return wide(
    html`<table id="events"><tr><th>time</th><th>event</th><th>where</th><th>version</th><th>detail</th></tr>${[
      ...events,
    ]
      .reverse()
      .map((e) => {
        const d = describeEvent(e);
        return html`<tr data-kind="${d.what}"><td class="nowrap">${when(text(e.time) || undefined)}</td><td class="nowrap">${d.what}</td>
        <td class="nowrap">${d.deploymentId ? html`<a href="/deployments/${d.deploymentId}">${d.where || d.deploymentId}</a>` : d.where || '–'}</td>
        <td class="nowrap">${d.version || '–'}</td><td>${d.detail}</td></tr>`;
      })}</table>`,
  );
}
