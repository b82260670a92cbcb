import { html } from 'hono/html';
import { awaitsApproval } from '../../../core/approvals/awaits-approval.js';
import { summarizeDrift } from '../../../core/congruence/drift-report.js';
import type { AnalysisEntry } from '../../../core/deployment/deployment-record.js';
import type { OperationResults } from '../../../core/operations/operations.js';
import { type Html, when } from './layout.js';
import { decisionButtons } from './overview-view.js';
import { timelineOf } from './timeline.js';

const seconds = (from: number, to: number | undefined) =>
  to === undefined ? '' : `${((to - from) / 1000).toFixed(1)}s`;

/** The analysis verdicts, with their numbers: why green was kept or rolled back. */
function analysisTable(entries: AnalysisEntry[]): Html {
  return html`<table id="analysis"><tr><th>analysis</th><th>verdict</th><th>green</th><th>blue</th></tr>${entries.map(
    (a) => html`<tr class="verdict ${a.passed ? 'ok' : 'failed'}" data-passed="${String(a.passed)}">
      <td>${a.step} at ${when(a.at)}</td><td>${a.reason}</td>
      <td>${a.green.errors}/${a.green.requests} errors, p99 ${a.green.p99Ms ?? '–'} ms</td>
      <td>${a.blue ? `${a.blue.errors}/${a.blue.requests} errors, p99 ${a.blue.p99Ms ?? '–'} ms` : '–'}</td></tr>`,
  )}</table>`;
}

/** One deployment: who and what, its steps as they happen, the preview, and the decision if it waits for one. */
export function deploymentView(
  deploymentId: string,
  current: OperationResults['deployment'],
  previewUrl: string | null,
): Html {
  const { record } = current;
  const steps = timelineOf(current.events);
  return html`<h2>${record ? `${record.service}/${record.environment} ${record.version}` : deploymentId}</h2>
    <p id="outcome" data-status="${record?.status ?? current.status}">
      ${record?.status ?? current.status} · ${record?.trigger ?? ''} by ${record?.requestedBy ?? '–'} at ${when(record?.requestedAt)}
      ${record?.approvedBy ? html` · <span id="approved-by">approved by ${record.approvedBy}${record.approvedVia ? ` (${record.approvedVia})` : ''}</span>` : ''}
    </p>
    ${awaitsApproval(record) ? html`<p>Waiting for approval: ${decisionButtons(deploymentId)}</p>` : ''}
    ${previewUrl && record?.status === 'in_progress' ? html`<p>Preview: <a href="${previewUrl}">${previewUrl}</a></p>` : ''}
    ${record?.failure ? html`<p class="failed" id="cause">${record.failure.step}: ${record.failure.error}: ${record.failure.cause}</p>` : ''}
    ${record?.drift ? html`<p>Drift before the run: ${summarizeDrift(record.drift)}</p>` : ''}
    ${record?.analysis?.length ? analysisTable(record.analysis) : ''}
    <table id="timeline"><tr><th>step</th><th></th><th>started</th><th>took</th></tr>
    ${steps.map(
      (s) => html`<tr class="step ${s.state}" data-step="${s.name}" data-state="${s.state}">
        <td>${s.name}</td><td>${s.state}${s.error ? html` <span class="failed">${s.error}</span>` : ''}</td>
        <td>${when(new Date(s.startedAt).toISOString())}</td><td>${seconds(s.startedAt, s.endedAt)}</td></tr>`,
    )}</table>`;
}
