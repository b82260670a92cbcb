import { html } from 'hono/html';
import type { ServiceStatus } from '../../../core/operations/operations.js';
import type { Html } from './layout.js';

/** Which version a fleet runs: the live release's, or that of the deployment in flight that launched it. */
function versionOf(status: ServiceStatus, fleetId: string): string {
  if (status.live?.fleetId === fleetId) return status.live.version;
  return status.inFlight.find((d) => d.deploymentId === fleetId)?.version ?? fleetId;
}

/** Green is a deployment in flight's fleet, blue the live release's; anything else is grey. */
function colourOf(status: ServiceStatus, fleetId: string): 'green' | 'blue' | 'other' {
  if (status.inFlight.some((d) => d.deploymentId === fleetId)) return 'green';
  return status.live?.fleetId === fleetId ? 'blue' : 'other';
}

/**
 * How the listener splits traffic: a bar drawn in SVG (its widths are attributes, not inline styles, which the
 * CSP refuses) and a legend beside it, so a 10 % share's label is never clipped by its slice.
 */
export function trafficSplit(status: ServiceStatus): Html {
  if (status.traffic.length === 0) return html`<span class="muted">no traffic</span>`;
  let x = 0;
  const slices = status.traffic.map((w) => {
    const slice = { ...w, x, colour: colourOf(status, w.fleetId), version: versionOf(status, w.fleetId) };
    x += w.percent;
    return slice;
  });
  return html`<span class="traffic" title="traffic split">
    <svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="traffic split">${slices.map(
      (s) => html`<rect class="${s.colour}" x="${s.x}" y="0" width="${s.percent}" height="10"></rect>`,
    )}</svg>
    <span class="legend">${slices.map(
      (s, i) =>
        html`${i ? ' · ' : ''}<span class="share" data-fleet="${s.fleetId}"><span class="swatch ${s.colour}"></span>${s.version} ${s.percent}%</span>`,
    )}</span>
  </span>`;
}
