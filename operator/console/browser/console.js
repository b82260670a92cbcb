// The console's own browser script (served as /assets/console.js; the CSP allows only the console's scripts):
// confirmations for every action, hold countdowns, and the live charts of green against blue (uPlot).

// Chromium started under LANG=C reports navigator.language as "en-US@posix", which Intl refuses; uPlot formats
// its numbers with it as it loads (this script runs first), so such a browser would get no charts at all.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, 'language', { value: navigator.language.split('@')[0] || 'en-US' });
}

/**
 * What a confirmed button sends, captured when its question is asked: a live region may re-render the button
 * while a person reads the question, and htmx sends nothing for a button no longer in the page (nor for one
 * swapped in but not yet wired, before its region settles). So the request is made from these values, never
 * from the element; the server answers whether the action still applies.
 */
function requestOf(detail) {
  const button = detail.elt;
  return {
    verb: detail.verb,
    path: detail.path,
    context: {
      target: detail.target,
      swap: button.getAttribute('hx-swap') ?? 'innerHTML',
      values: JSON.parse(button.getAttribute('hx-vals') ?? '{}'),
    },
  };
}

/** Every hx-confirm question is asked in the page's own dialog (it names what will change, and where). */
document.addEventListener('htmx:confirm', (event) => {
  const question = event.detail.question;
  const dialog = document.getElementById('confirm');
  if (!question || !dialog) return;
  event.preventDefault();
  const request = requestOf(event.detail);
  dialog.querySelector('.question').textContent = question;
  dialog.returnValue = '';
  dialog.addEventListener(
    'close',
    () => {
      // Sent from the body, which carries the session's token header (layout.ts), as every htmx request does.
      if (dialog.returnValue === 'yes') htmx.ajax(request.verb, request.path, request.context);
    },
    { once: true },
  );
  dialog.showModal();
});

/** Countdowns tick between the server's renders. */
function tickCountdowns() {
  for (const element of document.querySelectorAll('[data-until]')) {
    const left = Math.max(0, Math.ceil((Number(element.dataset.until) - Date.now()) / 1000));
    element.textContent = left >= 120 ? `${Math.floor(left / 60)} min ${left % 60} s left` : `${left} s left`;
  }
}
setInterval(tickCountdowns, 1000);

const GREEN = '#0b8043';
const BLUE = '#3367d6';
const CHARTS = [
  { key: 'requests', unit: 'req/s' },
  { key: 'errorRate', unit: '%' },
  { key: 'p99', unit: 'ms' },
];

/** Draws each analysis verdict as a dashed line at its time: green if it passed, red if it failed. */
function verdictMarks(verdicts) {
  return (u) => {
    const { ctx, bbox } = u;
    for (const verdict of verdicts()) {
      const x = u.valToPos(verdict.t, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.save();
      ctx.strokeStyle = verdict.passed ? '#137333' : '#b3261e';
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
      ctx.fillText(verdict.passed ? '✓' : '✗', x + 4 * devicePixelRatio, bbox.top + 12 * devicePixelRatio);
      ctx.restore();
    }
  };
}

function startCharts(section) {
  let latest = { t: [], green: {}, blue: null, verdicts: [], labels: {} };
  const plots = new Map();
  const sizeOf = (figure) => ({ width: Math.max(280, figure.clientWidth - 16), height: 180 });
  const make = (figure, chart) => {
    const series = [
      {},
      { label: latest.labels.green, stroke: GREEN, width: 2, spanGaps: false },
      { label: latest.labels.blue, stroke: BLUE, width: 2, spanGaps: false },
    ];
    const options = {
      ...sizeOf(figure),
      series,
      scales: {
        y: { range: (_plot, _min, max) => [0, Math.max(max ?? 1, chart.key === 'errorRate' ? 1 : 5)] },
      },
      axes: [{}, { label: chart.unit, size: 50 }],
      legend: { live: false },
      hooks: { draw: [verdictMarks(() => latest.verdicts)] },
    };
    figure.querySelector('.empty')?.remove();
    return new uPlot(options, dataOf(chart), figure);
  };
  const dataOf = (chart) => [latest.t, latest.green[chart.key] ?? [], latest.blue?.[chart.key] ?? []];
  const update = (data) => {
    latest = data;
    for (const chart of CHARTS) {
      const figure = section.querySelector(`[data-chart="${chart.key}"]`);
      if (!figure || latest.t.length === 0) continue;
      const plot = plots.get(chart.key);
      if (plot) plot.setData(dataOf(chart));
      else plots.set(chart.key, make(figure, chart));
    }
    section.dataset.points = String(latest.t.length);
    section.dataset.verdicts = String(latest.verdicts.length);
  };
  window.addEventListener('resize', () => {
    for (const [key, plot] of plots) plot.setSize(sizeOf(section.querySelector(`[data-chart="${key}"]`)));
  });
  const source = new EventSource(section.dataset.stream);
  source.addEventListener('metrics', (message) => update(JSON.parse(message.data)));
  // A page being left closes its stream quietly.
  window.addEventListener('pagehide', () => source.close());
}

document.addEventListener('DOMContentLoaded', () => {
  tickCountdowns();
  for (const section of document.querySelectorAll('#charts[data-stream]')) startCharts(section);
});
