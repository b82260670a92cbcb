import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../core/operations/operations.js';
import { startConsole } from '../../operator/console/start-console.js';
import { recordingOperations } from '../support/fakes/recording-operations.js';

/*
 * A confirmed action is sent even when a live region re-renders its button just as the dialog closes (the
 * flake of console.test.ts: htmx sends nothing for a button no longer in the page, and a button swapped in
 * is not wired to htmx until its region settles). The console runs in process over a recording fake of the
 * operations port, in a real headless Chromium; the re-render is forced in the page at the moment of the
 * confirmation, so the race is hit every time.
 */

const service = (environment: string, inFlight: ServiceStatus['inFlight'] = []): ServiceStatus => ({
  service: 'hello',
  environment,
  live: {
    version: '1.0.0',
    imageId: 'img-1',
    fleetId: `fleet-${environment}`,
    since: '2026-12-01T00:00:00Z',
  },
  keptWarm: null,
  lock: null,
  inFlight,
  url: null,
  previewUrl: null,
  instances: 2,
  traffic: [],
  trafficInDoubt: null,
});

const fake = recordingOperations({
  status: {
    services: [
      service('staging'),
      service('prod', [
        { deploymentId: 'd-approve', version: '2.0.0', status: 'in_progress', awaitingApproval: true },
      ]),
    ],
    invalidConfigs: [],
    congruence: [],
  },
  freezes: { freezes: [] },
  decide: { outcome: 'approved' },
  rollback: { kind: 'redeploy', version: '0.9.0', deploymentId: 'd-rollback' },
  promote: { version: '1.0.0', deploymentId: 'd-promote' },
});
let stopConsole: () => Promise<void>;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  // The server itself never re-renders during the test (a long poll): only the forced re-render does.
  const started = await startConsole({
    operations: fake.operations,
    target: 'local (test)',
    approverName: async () => 'alice',
    pollMs: 600_000,
    port: 0,
  });
  stopConsole = started.close;
  // A missing browser fails here, with the reason; it is never skipped.
  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
  });
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(started.loginUrl);
  await page.waitForSelector('tr[data-approval] button.approve');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopConsole?.();
});

/**
 * Clicks `button`, then, while its confirmation is open, re-renders the live region (as the server's next push
 * would, through htmx with its usual settle delay) and confirms in the same moment.
 */
async function confirmWhileReRendered(button: string) {
  await page.evaluate(`document.getElementById('action-result').textContent = ''`);
  await page.click(button);
  await page.waitForSelector('dialog#confirm[open]');
  await page.evaluate(`(() => {
    const region = document.getElementById('overview');
    htmx.swap(region, region.innerHTML, { swapStyle: 'innerHTML', swapDelay: 0, settleDelay: 20 });
    document.querySelector('dialog#confirm button[value="yes"]').click();
  })()`);
  await page.waitForSelector('dialog#confirm', { state: 'hidden' });
  await page.waitForSelector('#action-result .decided', { timeout: 10_000 }).catch(async () => {
    throw new Error(`nothing was sent for ${button}: "${await page.textContent('#action-result')}"`);
  });
  return page.textContent('#action-result .decided');
}

const callsOf = (name: string) => fake.calls.filter((c) => c.name === name).map((c) => c.input);

describe('a confirmed console action survives a re-render of its button (console.js)', () => {
  it('Approve and Reject send the decision for the deployment the dialog named', async () => {
    expect(await confirmWhileReRendered('tr[data-approval] button.approve')).toContain('approved:');
    expect(await confirmWhileReRendered('tr[data-approval] button.reject')).toContain('approved:');
    expect(callsOf('decide')).toEqual([
      { deploymentId: 'd-approve', approve: true, by: 'alice' },
      { deploymentId: 'd-approve', approve: false, by: 'alice' },
    ]);
  });

  it('Rollback and Promote send the action for the service and environments the dialog named', async () => {
    expect(await confirmWhileReRendered('tr[data-service="hello/prod"] button.rollback')).toContain(
      'rolling back to 0.9.0',
    );
    expect(await confirmWhileReRendered('tr[data-service="hello/staging"] button.promote')).toContain(
      'promoting 1.0.0 to prod',
    );
    expect(callsOf('rollback')).toEqual([{ service: 'hello', environment: 'prod', requestedBy: 'alice' }]);
    expect(callsOf('promote')).toEqual([
      { service: 'hello', from: 'staging', to: 'prod', requestedBy: 'alice' },
    ]);
    expect(problems).toEqual([]);
  });
});
