import { html, raw } from 'hono/html';
import type { Html } from './layout.js';

/** What an action is about: shown in its confirmation, so a click never changes something unnamed. */
export interface Subject {
  service: string;
  environment: string;
  version: string;
}

const path = (...segments: string[]) => `/${segments.map(encodeURIComponent).join('/')}`;
/**
 * Where every action's answer goes: the page's result area (layout.ts), outside the live regions, so the
 * next render of a region does not wipe it. console.js sends a confirmed action from these attributes as read
 * when its question was asked, not from the button, which a region's render may have replaced meanwhile.
 */
const RESULT = 'hx-target="#action-result" hx-swap="innerHTML"';

/** Approve and Reject for a pending approval, each confirmed naming the version and environment. */
export function decisionButtons(deploymentId: string, subject: Subject): Html {
  const url = `${path('deployments', deploymentId)}/decision`;
  const what = `${subject.service} ${subject.version} in ${subject.environment}`;
  return html`<span class="actions">
    <button class="approve" hx-post="${url}" hx-vals='{"approve":"true"}' ${raw(RESULT)}
      hx-confirm="Approve ${what}? Traffic will shift to ${subject.version}.">Approve</button>
    <button class="reject" hx-post="${url}" hx-vals='{"approve":"false"}' ${raw(RESULT)}
      hx-confirm="Reject ${what}? The deployment is rolled back; ${subject.environment} keeps what it runs now.">Reject</button>
  </span>`;
}

/** Rollback for a service+environment, as `bakeshift rollback` does it (confirmed, naming what runs now). */
export function rollbackButton(subject: Subject): Html {
  return html`<span class="actions"><button class="rollback" hx-post="${path('rollbacks', subject.service, subject.environment)}"
    ${raw(RESULT)}
    hx-confirm="Roll back ${subject.service} in ${subject.environment}? It runs ${subject.version} now; the previous version takes its traffic back.">Rollback</button></span>`;
}

/** Promote what an environment runs to the next one, as `bakeshift promote` does it (confirmed). */
export function promoteButton(subject: Subject, to: string): Html {
  return html`<span class="actions"><button class="promote" hx-post="${path('promotions', subject.service, subject.environment, to)}"
    ${raw(RESULT)}
    hx-confirm="Promote ${subject.service} ${subject.version} from ${subject.environment} to ${to}?">Promote to ${to}</button></span>`;
}

/** What an action answered, in the page's result area: the deployment it started, or why it was refused. */
export function actionOutcome(outcome: { text: string; deploymentId?: string } | { refused: string }): Html {
  if ('refused' in outcome) return html`<span class="refused failed" role="alert">${outcome.refused}</span>`;
  return html`<span class="decided">${outcome.text}${outcome.deploymentId ? html` <a href="${path('deployments', outcome.deploymentId)}">${outcome.deploymentId}</a>` : ''}</span>`;
}
