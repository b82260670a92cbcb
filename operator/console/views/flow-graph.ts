import { html } from 'hono/html';
import type { StepProgress, StepState } from '../flow-progress.js';
import type { FlowNode, FlowShape } from '../flow-shape.js';
import type { Html } from './layout.js';

const ICON: Record<StepState, string> = {
  pending: '○',
  skipped: '–',
  running: '●',
  waiting: '‖',
  judging: '⚖',
  done: '✓',
  failed: '✗',
  compensated: '↶',
};

/** `AwaitGreenHealthy` → `Await green healthy`. */
export const words = (name: string) =>
  name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').replace(/ [A-Z](?=[a-z])/g, (w) => w.toLowerCase());

/** Seconds left until `until`, as a person reads them. */
export const secondsLeft = (until: number, now = Date.now()) => {
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  return left >= 120 ? `${Math.floor(left / 60)} min ${left % 60} s left` : `${left} s left`;
};

function meta(node: FlowNode, step: StepProgress): Html {
  const parts: (Html | string)[] = [];
  if (step.waitsUntil)
    parts.push(
      html`<span class="countdown" data-until="${step.waitsUntil}">${secondsLeft(step.waitsUntil)}</span>`,
    );
  else if (step.seconds !== undefined) parts.push(`${step.seconds.toFixed(1)} s`);
  if (step.runs > 1) parts.push(`×${step.runs}`);
  if (node.loopsBackTo) parts.push(`↻ ${words(node.loopsBackTo)}`);
  return html`${parts.map((p, i) => html`${i ? ' · ' : ''}${p}`)}`;
}

function nodeOf(node: FlowNode, step: StepProgress | undefined): Html {
  const state = step?.state ?? 'pending';
  const classes = ['node', state, step?.current ? 'current' : '', node.conditional ? 'conditional' : '']
    .filter(Boolean)
    .join(' ');
  const title = [
    `${node.name}: ${state}`,
    node.conditional ? 'runs only when the flow chooses it' : '',
    node.kind === 'callback' ? 'waits for a callback' : '',
    step?.error ?? '',
  ]
    .filter(Boolean)
    .join('\n');
  return html`<li class="${classes}" data-step="${node.name}" data-state="${state}" title="${title}"
    ${step?.current ? html`aria-current="step"` : ''}><span class="icon" aria-hidden="true">${ICON[state]}</span><span class="label">${words(node.name)}</span><span class="meta">${step ? meta(node, step) : ''}</span></li>`;
}

/**
 * The flow as a graph of its steps, in the order the state machine runs them (flow-shape.ts reads it from the
 * definition): the forward path, then the compensation path it falls to on failure; each step with its state,
 * the current one highlighted, conditional steps dashed, a loop's way back named.
 */
export function flowGraph(shape: FlowShape, progress: Map<string, StepProgress>): Html {
  const lane = (name: string, nodes: FlowNode[]) =>
    html`<ol class="lane ${name}" aria-label="${name} path">${nodes.map((n) => nodeOf(n, progress.get(n.name)))}</ol>`;
  return html`<section id="flow" aria-label="the deployment's flow">
    ${lane('forward', shape.forward)}
    <p class="lane-label">on failure, compensation:</p>
    ${lane('compensation', shape.compensation)}
    <p class="flow-legend">${(
      ['done', 'running', 'waiting', 'judging', 'failed', 'compensated', 'skipped', 'pending'] as const
    ).map((s) => html`<span class="node ${s}"><span class="icon">${ICON[s]}</span>${s}</span> `)}</p>
  </section>`;
}
