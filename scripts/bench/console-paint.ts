import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright } from 'playwright-core';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../../local/control-plane/control-plane.js';
import { LocalOperations } from '../../local/control-plane/local-operations.js';
import { startConsole } from '../../operator/console/start-console.js';

/** Bounds each wait for the page (a deployment takes seconds locally). */
const WAIT_MS = Number(process.env.WAIT_MS ?? 120_000);

export interface ConsoleFigures {
  /** From the navigation's start to the services table drawn (its content arrives over SSE), in the browser. */
  firstMeaningfulPaintMs: number;
  /** From a control-plane event (a deployment started, went live) to the page showing it: each sample, in ms. */
  liveUpdateMs: number[];
}

/**
 * Runs in the page before its own scripts: notes when the services table is first drawn (performance.now(),
 * from the navigation's start) and when each thing the bench waits for appears (Date.now()). A string, not a
 * function: tsx would compile a function with helpers the browser does not have.
 */
const MARK_WHAT_IS_SHOWN = `
window.seenAt = {};
new MutationObserver(() => {
  const mark = (key, present) => {
    if (present && !window.seenAt[key]) window.seenAt[key] = key === 'paint' ? performance.now() : Date.now();
  };
  mark('paint', !!document.querySelector('tr[data-service]'));
  mark('inFlight', !!document.querySelector('tr[data-service="hello/staging"] .in-flight'));
  const live = document.querySelector('tr[data-service="hello/staging"] .live-version')?.textContent ?? '';
  mark('live ' + live, live !== '');
}).observe(document, { subtree: true, childList: true, characterData: true });
`;

/**
 * The console in a real headless Chromium over a local control plane: its first meaningful paint, and how long
 * after an event the page shows it (both clocks are this machine's: the event's time, the DOM's Date.now()).
 */
export async function measureConsole(): Promise<ConsoleFigures> {
  const home = await mkdtemp(join(tmpdir(), 'bakeshift-console-bench-'));
  const servicesDir = join(home, 'services');
  await mkdir(servicesDir);
  await writeHelloServiceConfig(servicesDir);
  const { controlPlane } = await ControlPlane.start({ home, servicesDir });
  const operations = new LocalOperations(controlPlane);
  const served = await startConsole({
    operations,
    target: 'local (bench)',
    approverName: async () => 'bench',
    pollMs: 250,
    port: 0,
  });
  const browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
  });
  try {
    // The console's CSP forbids eval; the bench's own probes (waitForFunction, evaluate) are exempt, its pages not.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.addInitScript(MARK_WHAT_IS_SHOWN);
    await page.goto(served.loginUrl);
    await page.waitForFunction('window.seenAt.paint !== undefined', undefined, { timeout: WAIT_MS });
    const seenAt = () => page.evaluate('window.seenAt') as Promise<Record<string, number>>;
    const firstMeaningfulPaintMs = Math.round((await seenAt()).paint ?? Number.NaN);

    const eventAt: Record<string, number> = {};
    controlPlane.events.subscribe((event) => {
      if (event.type === 'deployment') eventAt[`${event.kind} ${event.version}`] ??= Date.parse(event.at);
    });
    const liveUpdateMs: number[] = [];
    for (const version of ['1.0.0', '2.0.0']) {
      const artifactFile = await buildHelloArtifact(version, home);
      await page.evaluate('delete window.seenAt.inFlight');
      await controlPlane.deploy({ service: 'hello', environment: 'staging', version, artifactFile });
      await page.waitForFunction(`window.seenAt['live ${version}'] !== undefined`, undefined, {
        timeout: WAIT_MS,
      });
      const seen = await seenAt();
      const started = eventAt[`started ${version}`];
      const live = eventAt[`succeeded ${version}`];
      if (started && seen.inFlight) liveUpdateMs.push(seen.inFlight - started);
      if (live) liveUpdateMs.push((seen[`live ${version}`] ?? Number.NaN) - live);
    }
    return { firstMeaningfulPaintMs, liveUpdateMs };
  } finally {
    await browser.close();
    await served.close();
    await controlPlane.stop();
    await rm(home, { recursive: true, force: true });
  }
}
