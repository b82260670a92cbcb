import { html } from 'hono/html';
import type { OperationResults, ServiceStatus } from '../../../core/operations/operations.js';
import { type Html, when } from './layout.js';

type Approval = { deploymentId: string; version: string; service: string; environment: string };

/** Which version a fleet runs: the live release's, or that of the deployment in flight that launched it. */
function versionOf(status: ServiceStatus, fleetId: string): string {
  if (status.live?.fleetId === fleetId) return status.live.version;
  return status.inFlight.find((d) => d.deploymentId === fleetId)?.version ?? fleetId;
}

function trafficBar(status: ServiceStatus): Html {
  if (status.traffic.length === 0) return html`<span>no traffic</span>`;
  return html`<div class="bar" title="traffic split">${status.traffic.map(
    (w) => html`<span style="width:${w.percent}%">${versionOf(status, w.fleetId)} ${w.percent}%</span>`,
  )}</div>`;
}

function serviceRow(s: ServiceStatus): Html {
  const link = `/history/${encodeURIComponent(s.service)}/${encodeURIComponent(s.environment)}`;
  return html`<tr data-service="${s.service}/${s.environment}">
    <td><a href="${link}">${s.service}/${s.environment}</a></td>
    <td class="live-version">${s.live?.version ?? 'nothing live'}</td>
    <td><code>${s.live?.imageId ?? '–'}</code></td>
    <td>${s.instances}</td>
    <td>${trafficBar(s)}</td>
    <td>${s.inFlight.map((d) => html`<a class="in-flight" href="/deployments/${d.deploymentId}">${d.version} (${d.status})</a> `)}</td>
    <td>${s.url ? html`<a href="${s.url}">${s.url}</a>` : '–'}</td>
  </tr>`;
}

function approvalRow(a: Approval): Html {
  return html`<tr data-approval="${a.deploymentId}">
    <td>${a.service}/${a.environment}</td><td>${a.version}</td>
    <td><a href="/deployments/${a.deploymentId}">${a.deploymentId}</a></td>
    <td>${decisionButtons(a.deploymentId)}</td>
  </tr>`;
}

/** Approve and Reject for a pending approval: the outcome replaces the buttons. */
export function decisionButtons(deploymentId: string): Html {
  const url = `/deployments/${encodeURIComponent(deploymentId)}/decision`;
  return html`<span id="decision-${deploymentId}">
    <button class="approve" hx-post="${url}" hx-vals='{"approve":"true"}' hx-target="#decision-${deploymentId}" hx-swap="outerHTML">Approve</button>
    <button class="reject" hx-post="${url}" hx-vals='{"approve":"false"}' hx-target="#decision-${deploymentId}" hx-swap="outerHTML">Reject</button>
  </span>`;
}

/** Every service × environment, the approvals waiting for someone, and the congruence schedule. */
export function overviewView(status: OperationResults['status'], approvals: Approval[]): Html {
  return html`<h2>Services</h2>
    <table id="services"><tr><th>service/environment</th><th>live</th><th>image</th><th>instances</th><th>traffic</th><th>in flight</th><th>url</th></tr>
    ${status.services.map(serviceRow)}</table>
    <h2>Waiting for approval</h2>
    ${approvals.length ? html`<table id="approvals"><tr><th>where</th><th>version</th><th>deployment</th><th></th></tr>${approvals.map(approvalRow)}</table>` : html`<p id="approvals">none</p>`}
    <h2>Congruence runs</h2>
    <table><tr><th>where</th><th>schedule</th><th>next run</th></tr>${status.congruence.map(
      (c) =>
        html`<tr><td>${c.service}/${c.environment}</td><td>${c.schedule} (${c.timeZone})</td><td>${when(c.nextRun)}</td></tr>`,
    )}</table>`;
}
