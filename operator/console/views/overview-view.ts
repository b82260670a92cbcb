import { html } from 'hono/html';
import type { OperationResults, ServiceStatus } from '../../../core/operations/operations.js';
import { decisionButtons, promoteButton, rollbackButton } from './actions.js';
import { type Html, when, wide } from './layout.js';
import { trafficSplit } from './traffic-split.js';

type Approval = { deploymentId: string; version: string; service: string; environment: string };

/** The environment a service's releases are promoted to from `environment`: the next one in its configuration. */
function nextEnvironment(all: ServiceStatus[], s: ServiceStatus): string | undefined {
  const environments = all.filter((o) => o.service === s.service).map((o) => o.environment);
  return environments[environments.indexOf(s.environment) + 1];
}

function actions(all: ServiceStatus[], s: ServiceStatus): Html {
  if (!s.live) return html``;
  const subject = { service: s.service, environment: s.environment, version: s.live.version };
  const to = nextEnvironment(all, s);
  return html`${rollbackButton(subject)}${to ? promoteButton(subject, to) : ''}`;
}

function serviceRow(all: ServiceStatus[], s: ServiceStatus): Html {
  const link = `/history/${encodeURIComponent(s.service)}/${encodeURIComponent(s.environment)}`;
  return html`<tr data-service="${s.service}/${s.environment}">
    <td class="nowrap"><a href="${link}">${s.service}/${s.environment}</a></td>
    <td class="live-version nowrap">${s.live?.version ?? 'nothing live'}</td>
    <td class="nowrap"><code>${s.live?.imageId ?? '–'}</code></td>
    <td>${s.instances}</td>
    <td>${trafficSplit(s)}</td>
    <td>${s.inFlight.map((d) => html`<a class="in-flight nowrap" href="/deployments/${d.deploymentId}">${d.version} (${d.status})</a> `)}</td>
    <td class="nowrap">${s.url ? html`<a href="${s.url}">${s.url}</a>` : '–'}</td>
    <td>${actions(all, s)}</td>
  </tr>`;
}

function approvalRow(a: Approval): Html {
  return html`<tr data-approval="${a.deploymentId}">
    <td class="nowrap">${a.service}/${a.environment}</td><td>${a.version}</td>
    <td><a href="/deployments/${a.deploymentId}">${a.deploymentId}</a></td>
    <td>${decisionButtons(a.deploymentId, a)}</td>
  </tr>`;
}

/** Every service × environment, the approvals waiting for someone, and the congruence schedule. */
export function overviewView(status: OperationResults['status'], approvals: Approval[]): Html {
  return html`<h2>Services</h2>
    ${wide(html`<table id="services"><tr><th>service/environment</th><th>live</th><th>image</th><th>instances</th><th>traffic</th><th>in flight</th><th>url</th><th></th></tr>
    ${status.services.map((s) => serviceRow(status.services, s))}</table>`)}
    <h2>Waiting for approval</h2>
    ${approvals.length ? wide(html`<table id="approvals"><tr><th>where</th><th>version</th><th>deployment</th><th></th></tr>${approvals.map(approvalRow)}</table>`) : html`<p id="approvals" class="muted">none</p>`}
    <h2>Congruence runs</h2>
    ${
      status.congruence.length
        ? wide(
            html`<table><tr><th>where</th><th>schedule</th><th>next run</th></tr>${status.congruence.map(
              (c) =>
                html`<tr><td>${c.service}/${c.environment}</td><td>${c.schedule} (${c.timeZone})</td><td class="nowrap">${when(c.nextRun)}</td></tr>`,
            )}</table>`,
          )
        : html`<p class="muted">none scheduled</p>`
    }`;
}
