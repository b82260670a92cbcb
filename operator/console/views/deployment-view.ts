import { html } from 'hono/html';
import { awaitsApproval } from '../../../core/approvals/awaits-approval.js';
import { summarizeDrift } from '../../../core/congruence/drift-report.js';
import type { AnalysisEntry } from '../../../core/deployment/deployment-record.js';
import type { OperationResults, ServiceStatus } from '../../../core/operations/operations.js';
import { flowProgress, type StepProgress } from '../flow-progress.js';
import type { FlowShape } from '../flow-shape.js';
import { decisionButtons, rollbackButton } from './actions.js';
import { flowGraph, secondsLeft, words } from './flow-graph.js';
import { type Html, when, wide } from './layout.js';
import { timelineOf } from './timeline.js';
import { trafficSplit } from './traffic-split.js';

const seconds = (from: number, to: number | undefined) =>
  to === undefined ? '' : `${((to - from) / 1000).toFixed(1)}s`;

/** The analysis verdicts, with their numbers: why green was kept or rolled back. */
function analysisTable(entries: AnalysisEntry[]): Html {
  return wide(
    html`<table id="analysis"><tr><th>analysis</th><th>verdict</th><th>green</th><th>blue</th></tr>${entries.map(
      (a) => html`<tr class="verdict ${a.passed ? 'ok' : 'failed'}" data-passed="${String(a.passed)}">
      <td>${a.step} at ${when(a.at)}</td><td>${a.reason}</td>
      <td class="nowrap">${a.green.errors}/${a.green.requests} errors, p99 ${a.green.p99Ms ?? '–'} ms</td>
      <td class="nowrap">${a.blue ? `${a.blue.errors}/${a.blue.requests} errors, p99 ${a.blue.p99Ms ?? '–'} ms` : '–'}</td></tr>`,
    )}</table>`,
  );
}

/** What the deployment is doing now: its current step (and a wait's or a hold's countdown), the traffic split, the preview. */
function nowCards(progress: Map<string, StepProgress>, where: ServiceStatus | undefined): Html {
  const [name, step] = [...progress.entries()].find(([, p]) => p.current) ?? [];
  const hold =
    step?.waitsUntil !== undefined
      ? html` · <span class="countdown" data-until="${step.waitsUntil}">${secondsLeft(step.waitsUntil)}</span>`
      : '';
  return html`<div class="now">
    <div class="card" id="current-step" data-step="${name ?? ''}"><div class="label">now</div>
      <div class="value">${name ? words(name) : '–'}</div><div class="muted">${step ? html`${step.state}${hold}` : 'not running'}</div></div>
    ${where ? html`<div class="card" id="weights"><div class="label">traffic</div>${trafficSplit(where)}</div>` : ''}
    ${where?.previewUrl ? html`<div class="card"><div class="label">preview</div><a href="${where.previewUrl}">${where.previewUrl}</a></div>` : ''}
  </div>`;
}

/**
 * The top of a deployment's page: who and what, the decision or rollback it allows, what it does now, and its
 * flow as a graph. `where` is its service+environment's status while it runs (traffic, preview), else undefined.
 */
export function deploymentHead(
  deploymentId: string,
  current: OperationResults['deployment'],
  shape: FlowShape,
  where: ServiceStatus | undefined,
): Html {
  const { record } = current;
  const status = record?.status ?? current.status;
  const progress = flowProgress(shape, current.events, current);
  const subject = record && {
    service: record.service,
    environment: record.environment,
    version: record.version,
  };
  return html`<h2>${record ? `${record.service}/${record.environment} ${record.version}` : deploymentId}
      <span class="status-pill ${status}">${status.replace('_', ' ')}</span></h2>
    <p id="outcome" data-status="${status}">
      ${record?.trigger ?? ''} by ${record?.requestedBy ?? '–'} at ${when(record?.requestedAt)}
      ${record?.approvedBy ? html` · <span id="approved-by">approved by ${record.approvedBy}${record.approvedVia ? ` (${record.approvedVia})` : ''}</span>` : ''}
    </p>
    ${subject && awaitsApproval(record) ? html`<p>Waiting for approval: ${decisionButtons(deploymentId, subject)}</p>` : ''}
    ${subject && record?.status === 'in_progress' && !awaitsApproval(record) ? html`<p>${rollbackButton(subject)}</p>` : ''}
    ${nowCards(progress, where)}
    ${flowGraph(shape, progress)}`;
}

/** The rest of a deployment's page: why it failed, drift, the verdicts, and every step's timing. */
export function deploymentDetails(current: OperationResults['deployment']): Html {
  const { record } = current;
  const steps = timelineOf(current.events);
  return html`${record?.failure ? html`<p class="failed" id="cause">${record.failure.step}: ${record.failure.error}: ${record.failure.cause}</p>` : ''}
    ${record?.drift ? html`<p>Drift before the run: ${summarizeDrift(record.drift)}</p>` : ''}
    ${record?.analysis?.length ? analysisTable(record.analysis) : ''}
    <h3>Steps</h3>
    ${wide(html`<table id="timeline"><tr><th>step</th><th></th><th>started</th><th>took</th></tr>
    ${steps.map(
      (s) => html`<tr class="step ${s.state}" data-step="${s.name}" data-state="${s.state}">
        <td>${s.name}</td><td>${s.state}${s.error ? html` <span class="failed">${s.error}</span>` : ''}</td>
        <td class="nowrap">${when(new Date(s.startedAt).toISOString())}</td><td>${seconds(s.startedAt, s.endedAt)}</td></tr>`,
    )}</table>`)}`;
}

/** Where the charts of green against blue go: filled by the console's script from the metrics stream. */
export function chartsSection(deploymentId: string): Html {
  const chart = (key: string, caption: string) =>
    html`<figure class="chart" data-chart="${key}"><figcaption>${caption}</figcaption><div class="empty">no traffic on green yet</div></figure>`;
  return html`<section id="charts" data-stream="/stream/deployments/${encodeURIComponent(deploymentId)}/metrics" data-points="0" data-verdicts="0">
    ${chart('requests', 'Requests per second')}${chart('errorRate', 'Error rate (%)')}${chart('p99', 'p99 latency (ms)')}
    <p class="chart-note"><span class="swatch green"></span>green (this deployment) · <span class="swatch blue"></span>blue (what was live) · dashed lines: analysis verdicts (<span class="verdict-ok">✓</span> passed, <span class="verdict-failed">✗</span> failed)</p>
  </section>`;
}
