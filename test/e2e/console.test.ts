import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { LoadGenerator } from '../../local/load/load-generator.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';

/*
 * The web console as a person uses it, in a real headless Chromium (the one @sparticuz/chromium carries in its
 * npm package, driven by playwright-core): `bakeshift console` next to `bakeshift up`, deployments made with
 * the CLI seen advancing in the page as a graph of the flow's steps, green charted against blue during a
 * weighted deployment, approvals, rejections and rollbacks confirmed in the page's dialog. Screenshots of each
 * page are kept in test-artifacts/console/. Every page is watched: a console error, a failed request or an
 * HTTP error anywhere fails the last test.
 */

const CLI = fileURLToPath(new URL('../../bin/bakeshift.mjs', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-artifacts/console/', import.meta.url));
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let home: string;
let controlPlane: ChildProcess;
let consoleProcess: ChildProcess;
let loginUrl: string;
let origin: string;
let browser: Browser;
let page: Page;
/** Everything a page logged as an error, every request that failed, every HTTP error answered to the page. */
const problems: string[] = [];

const bakeshift = (...args: string[]) =>
  run(process.execPath, [CLI, ...args, '--home', home], { env: { ...process.env } });

/** Starts a CLI process and resolves with it once a line of its output matches. */
async function started(args: string[], ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [CLI, ...args, '--home', home], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${seen}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const found = seen.split('\n').find((l) => ready.test(l));
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return { child, line };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bakeshift-console-'));
  await mkdir(SHOTS, { recursive: true });
  await mkdir(join(home, 'services'));
  await writeHelloServiceConfig(join(home, 'services'));
  const config = JSON.parse(await readFile(join(home, 'services', 'hello.json'), 'utf8'));
  config.environments.weighted = {
    ...config.environments.staging,
    traffic: {
      strategy: 'weighted',
      steps: [
        { percent: 10, holdSeconds: 8 },
        { percent: 50, holdSeconds: 6 },
        { percent: 100, holdSeconds: 0 },
      ],
    },
    // Verdicts are charted whatever they say; on a machine shared by other test runs green's p99 can be far above
    // blue's by chance, so latency is judged only a minute beyond it (errors are judged as by default). The holds
    // are seconds long: green's warm-up is one second, as in the analysis end-to-end test.
    analysis: { minLatencyIncreaseMs: 60_000, warmUpSeconds: 1, extendInconclusiveSeconds: 30 },
  };
  config.environments.prod = {
    ...config.environments.staging,
    approval: { required: true, approvers: ['release-manager'], timeoutSeconds: 300 },
  };
  await writeFile(join(home, 'services', 'hello.json'), JSON.stringify(config));
  ({ child: controlPlane } = await started(['up', '--as', 'release-manager'], /^ {2}API: /));
  const consoleStarted = await started(['console'], /open http:\/\/127\.0\.0\.1:\d+\/login\?token=/);
  consoleProcess = consoleStarted.child;
  loginUrl = /open (\S+)/.exec(consoleStarted.line)?.[1] ?? '';
  origin = new URL(loginUrl).origin;
  // A missing browser fails here, with the reason; it is never skipped.
  browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A live stream is cut when its page is left: that is the navigation, not a failure.
    if (reason === 'net::ERR_ABORTED' && request.url().includes('/stream/')) return;
    problems.push(`failed request ${request.url()}: ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const child of [consoleProcess, controlPlane]) {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(home, { recursive: true, force: true });
});

// Each test starts at the usual width, whatever the one before it left.
beforeEach(async () => {
  await page?.setViewportSize({ width: 1280, height: 900 });
});

/** Waits (bounded) until the page shows what `check` looks for. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`the console never showed ${what}`);
}

/** The deployment id a `deploy --json --no-follow` printed. */
async function deploy(version: string, ...more: string[]): Promise<string> {
  const artifact = await buildHelloArtifact(version, home);
  const { stdout } = await bakeshift(
    'deploy',
    'hello',
    artifact,
    '--version',
    version,
    '--no-follow',
    '--json',
    ...more,
  );
  return (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { deploymentId: string }).deploymentId;
}

/** The page is no wider than the window (a wide table scrolls inside its own box). */
const FITS_THE_WINDOW = 'document.documentElement.scrollWidth <= window.innerWidth';
const outcomeOf = async () => (await page.getAttribute('#outcome', 'data-status')) ?? '';
const stateOf = (step: string) => page.getAttribute(`#flow li[data-step="${step}"]`, 'data-state');

/** Answers the page's confirmation dialog, after checking what it asks. */
async function confirm(expected: RegExp, answer: 'Confirm' | 'Cancel', shot?: string) {
  await page.waitForSelector('dialog#confirm[open]');
  expect(await page.textContent('dialog#confirm .question')).toMatch(expected);
  if (shot) await page.screenshot({ path: join(SHOTS, shot) });
  await page.click(`dialog#confirm button:has-text("${answer}")`);
  await page.waitForSelector('dialog#confirm', { state: 'hidden' });
}

describe('the web console (bakeshift console, in a real browser)', () => {
  it('logs in once, then shows every service × environment; a used link says how to get another', async () => {
    await page.goto(loginUrl);
    await page.waitForSelector('tr[data-service="hello/staging"]');
    expect(await page.locator('tr[data-service]').count()).toBe(3);
    expect(await page.textContent('tr[data-service="hello/staging"] .live-version')).toBe('nothing live');
    await page.screenshot({ path: join(SHOTS, 'overview-empty.png'), fullPage: true });
    // The login link works once; then it says why and how to get another.
    const again = await fetch(loginUrl);
    expect(again.status).toBe(401);
    const text = await again.text();
    expect(text).toContain('This login link was used already');
    expect(text).toContain('start it again');
  });

  it("draws the flow from the state machine's definition: its steps advance, the broken release's are compensated", async () => {
    const definition = loadDeployDefinition();
    const drawnStates = Object.entries(definition.States)
      .filter(([, state]) => ['Task', 'Wait'].includes(state.Type))
      .map(([name]) => name);
    const seen: Record<string, string[]> = {};
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const deploymentId = await deploy(version);
      await page.goto(`${origin}/deployments/${deploymentId}`);
      // Every Task and Wait state of deploy.asl.json is a node of the graph, each exactly once.
      await page.waitForSelector('#flow li[data-step]');
      const nodes = await page
        .locator('#flow .lane li')
        .evaluateAll((l) => l.map((e) => e.getAttribute('data-step')));
      expect([...nodes].sort()).toEqual([...drawnStates].sort());
      const steps = () =>
        page
          .locator('#timeline tr.step')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step') ?? ''));
      await until(async () => (await steps()).length >= 2, `${version}'s first steps`);
      const early = await steps();
      // While it runs, one step is highlighted as current, and it is the one the "now" card names.
      const running = (await outcomeOf()) === 'in_progress';
      if (running) {
        // The graph and the card are two live regions, each re-rendered on its own event: read both at one
        // instant, until they agree (or the deployment has moved past its highlighted step).
        await until(async () => {
          const [current, card] = await page
            .locator('body')
            .evaluate((body) => [
              body.querySelector('#flow li.current')?.getAttribute('data-step') ?? null,
              body.querySelector('#current-step')?.getAttribute('data-step') ?? null,
            ]);
          return current === null || current === card;
        }, `${version}'s highlighted step named by the "now" card`);
      }
      await until(
        async () => ['succeeded', 'rolled_back'].includes(await outcomeOf()),
        `${version}'s outcome`,
        120_000,
      );
      seen[version] = await steps();
      // Seen running, the page then gained the steps that followed (on a busy machine it may open too late).
      if (running) expect(seen[version].length).toBeGreaterThan(early.length);
      await page.screenshot({ path: join(SHOTS, `deployment-${version}.png`), fullPage: true });
    }
    expect(seen['1.0.0']).toEqual(
      expect.arrayContaining([
        'PrepareDeployment',
        'BakeImage',
        'LaunchGreen',
        'ShiftTraffic',
        'CommitRelease',
      ]),
    );
    // 3.0.0 never becomes healthy: that step failed, what came before it was undone, compensation ran.
    expect(seen['3.0.0']).toContain('DestroyGreen');
    expect(await page.textContent('#cause')).toMatch(/AwaitGreenHealthy/);
    expect(await stateOf('AwaitGreenHealthy')).toBe('failed');
    expect(await stateOf('LaunchGreen')).toBe('compensated');
    expect(await stateOf('DestroyGreen')).toBe('done');
    expect(await stateOf('ShiftTraffic')).toBe('skipped');

    await page.goto(`${origin}/history/hello/staging`);
    const outcomes = await page.locator('#history tr[data-deployment] td:nth-child(4)').allTextContents();
    expect(outcomes).toEqual(['rolled_back', 'succeeded', 'succeeded']);
    await page.screenshot({ path: join(SHOTS, 'history.png'), fullPage: true });
    // At 800 px, no row of the history wraps into a column of fragments, and the page itself does not overflow.
    await page.setViewportSize({ width: 800, height: 900 });
    const heights = await page
      .locator('#history tr[data-deployment]')
      .evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
    expect(Math.max(...heights)).toBeLessThan(90);
    expect(await page.evaluate(FITS_THE_WINDOW)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'history-800.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 400_000);

  it('charts green against blue live during a weighted deployment, with the hold counted down and the verdicts marked', async () => {
    await deploy('1.0.0', '--env', 'weighted');
    await page.goto(`${origin}/`);
    await until(
      async () => (await page.textContent('tr[data-service="hello/weighted"] .live-version')) === '1.0.0',
      'weighted live on 1.0.0',
      120_000,
    );
    const { stdout } = await bakeshift('status', '--json');
    const url = (JSON.parse(stdout) as { services: { environment: string; url: string }[] }).services.find(
      (s) => s.environment === 'weighted',
    )?.url;
    const load = new LoadGenerator({
      url: url ?? '',
      connections: 4,
      maxDurationMs: 120_000,
      maxRequests: 400_000,
    });
    load.start();
    try {
      const deploymentId = await deploy('2.0.0', '--env', 'weighted');
      await page.goto(`${origin}/deployments/${deploymentId}`);
      // The first hold: 10 % on green, judged by CheckGreenAtWeight (ADR 40), counted down, its step highlighted.
      await until(
        async () => (await page.getAttribute('#current-step', 'data-step')) === 'CheckGreenAtWeight',
        'the first hold',
        120_000,
      );
      await page.waitForSelector('#current-step .countdown');
      expect(await page.textContent('#current-step .countdown')).toMatch(/^\d+ s left$/);
      expect(await stateOf('CheckGreenAtWeight')).toBe('judging');
      expect(await page.textContent('#weights')).toMatch(/2\.0\.0 10%/);
      // The traffic label at 10 % is whole at 800 px, not clipped by its slice (the overview draws the same bar).
      await page.setViewportSize({ width: 800, height: 900 });
      const share = page.locator('#weights .share', { hasText: '10%' });
      expect(
        await share.evaluate(
          (e) => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().width > 20,
        ),
      ).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'deployment-weighted-hold-800.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      // The charts fill in as the deployment goes on.
      const points = async () => Number((await page.getAttribute('#charts', 'data-points')) ?? 0);
      await until(async () => (await points()) >= 2, 'the first points of the charts', 30_000);
      const first = await points();
      await until(async () => (await points()) > first + 2, 'the charts updating', 30_000);
      expect(await page.locator('#charts canvas').count()).toBeGreaterThanOrEqual(3);
      await page.screenshot({ path: join(SHOTS, 'deployment-weighted-hold.png'), fullPage: true });

      await until(
        async () => ['succeeded', 'rolled_back'].includes(await outcomeOf()),
        'the weighted deployment ending',
        180_000,
      );
      const cause = (await page.locator('#cause').count()) ? await page.textContent('#cause') : '';
      expect(await outcomeOf(), `rolled back: ${cause}`).toBe('succeeded');
      // Each verdict is marked on the charts (one per hold, and the blue-warm watch).
      await until(
        async () => Number((await page.getAttribute('#charts', 'data-verdicts')) ?? 0) >= 2,
        'the verdicts on the charts',
        20_000,
      );
      expect(await page.locator('#analysis tr.verdict').count()).toBeGreaterThanOrEqual(2);
      expect(await stateOf('CheckGreenAtWeight')).toBe('done');
      expect(await page.textContent('#flow li[data-step="ShiftTraffic"] .meta')).toContain('×3');
      await page.screenshot({ path: join(SHOTS, 'deployment-weighted.png'), fullPage: true });
      await page.setViewportSize({ width: 800, height: 900 });
      // The charts follow the resize from the window's resize event, a moment after the viewport changes.
      await until(
        async () => Boolean(await page.evaluate(FITS_THE_WINDOW)),
        'the page fitting 800 px',
        5_000,
      );
      await page.screenshot({ path: join(SHOTS, 'deployment-weighted-800.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    } finally {
      await load.stop();
    }
    expect(load.samples.filter((s) => !s.ok)).toEqual([]);
  }, 400_000);

  it('Approve and Reject ask first, naming the version and environment; Approve goes on, the record shows who', async () => {
    const deploymentId = await deploy('2.0.0', '--env', 'prod');
    await page.goto(`${origin}/`);
    await page.waitForSelector('tr[data-approval] button.approve', { timeout: 120_000 });
    await page.screenshot({ path: join(SHOTS, 'overview-approval.png'), fullPage: true });
    await page.goto(`${origin}/deployments/${deploymentId}`);
    await page.waitForSelector('button.reject');
    expect(await stateOf('RequestApproval')).toBe('waiting');
    // Reject, then think better of it: nothing is sent, the buttons stay.
    await page.click('button.reject');
    await confirm(/^Reject hello 2\.0\.0 in prod\?/, 'Cancel', 'confirm-reject.png');
    expect(await page.locator('button.approve').count()).toBe(1);
    await page.click('button.approve');
    await confirm(/^Approve hello 2\.0\.0 in prod\?/, 'Confirm', 'confirm-approve.png');
    // The answer stays in the page's result area (the live regions re-render around it).
    await page.waitForSelector('#action-result .decided');
    expect(await page.textContent('#action-result .decided')).toContain('approved:');
    await until(
      async () => (await outcomeOf()) === 'succeeded',
      'the approved deployment succeeding',
      120_000,
    );
    expect(await page.textContent('#approved-by')).toContain('approved by release-manager');
    await page.screenshot({ path: join(SHOTS, 'deployment-approved.png'), fullPage: true });
    await page.goto(`${origin}/`);
    await until(
      async () => (await page.textContent('tr[data-service="hello/prod"] .live-version')) === '2.0.0',
      'prod live on 2.0.0',
    );
    expect(await page.textContent('tr[data-service="hello/prod"] .traffic')).toContain('2.0.0 100%');
  }, 300_000);

  it('Rollback asks first, naming what runs now, then returns the environment to the previous version', async () => {
    await page.goto(`${origin}/`);
    await page.waitForSelector('tr[data-service="hello/staging"] button.rollback');
    expect(await page.textContent('tr[data-service="hello/staging"] .live-version')).toBe('2.0.0');
    await page.click('tr[data-service="hello/staging"] button.rollback');
    await confirm(/^Roll back hello in staging\? It runs 2\.0\.0 now/, 'Confirm', 'confirm-rollback.png');
    await page.waitForSelector('#action-result .decided a', { timeout: 30_000 }).catch(async () => {
      throw new Error(`the rollback was not started: ${await page.textContent('#action-result')}`);
    });
    expect(await page.textContent('#action-result')).toMatch(/rolling back to 1\.0\.0|back on the previous/);
    await page.click('#action-result .decided a');
    await until(
      async () => (await outcomeOf()) === 'succeeded',
      'the rollback deployment succeeding',
      120_000,
    );
    expect(await page.textContent('h2')).toContain('hello/staging 1.0.0');
    await page.goto(`${origin}/`);
    await until(
      async () => (await page.textContent('tr[data-service="hello/staging"] .live-version')) === '1.0.0',
      'staging live on 1.0.0 again',
    );
  }, 300_000);

  it('refuses a request without its session, without its token or from another origin; shows no secret', async () => {
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const decision = `${origin}/deployments/hello-prod-x/decision`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await fetch(`${origin}/`)).status).toBe(401);
    for (const action of [
      decision,
      `${origin}/rollbacks/hello/staging`,
      `${origin}/promotions/hello/staging/prod`,
    ])
      expect(
        (await fetch(action, { method: 'POST', headers: { ...form, cookie, origin }, body: 'approve=true' }))
          .status,
      ).toBe(403);
    const html = await page.content();
    const token = /"x-bakeshift-session":"([^"]+)"/.exec(html.replaceAll('&quot;', '"'))?.[1] ?? '';
    expect(token).not.toBe('');
    const foreign = await fetch(decision, {
      method: 'POST',
      headers: { ...form, cookie, origin: 'http://evil.example', 'x-bakeshift-session': token },
      body: 'approve=true',
    });
    expect(foreign.status).toBe(403);
    const api = JSON.parse(await readFile(join(home, 'api.json'), 'utf8')) as { token: string };
    for (const path of ['/', '/history/hello/prod', '/events']) {
      await page.goto(`${origin}${path}`);
      await sleep(500);
      expect(await page.content()).not.toContain(api.token);
    }
  });

  it('a freeze set with the CLI shows a banner on every page; /change-control lists it beside the delivery figures', async () => {
    await bakeshift('freeze', '--env', 'prod', '--until', '2h', '--reason', 'holiday <sales>');
    for (const path of ['/', '/events', '/change-control']) {
      await page.goto(`${origin}${path}`);
      const banner = await page.waitForSelector('#freeze-banner');
      // The reason is shown as text, never as markup.
      expect(await banner.textContent()).toContain('holiday <sales>');
    }
    expect(await page.textContent('#freezes')).toContain('holiday <sales>');
    const staging = page.locator('#delivery-figures tr', { hasText: 'staging' }).first();
    const cells = await staging.locator('td').allTextContents();
    expect(cells.slice(0, 2)).toEqual(['hello', 'staging']);
    expect(Number(cells[2])).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'change-control.png'), fullPage: true });
    await bakeshift('unfreeze', '--env', 'prod');
    await page.goto(`${origin}/`);
    await page.waitForSelector('tr[data-service]');
    expect(await page.locator('#freeze-banner').count()).toBe(0);
  });

  it('no page logged an error, failed a request or answered an HTTP error; the events read as sentences', async () => {
    await page.goto(`${origin}/events`);
    await page.waitForSelector('#events tr[data-kind]');
    const kinds = await page
      .locator('#events tr[data-kind]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    expect(kinds).toEqual(
      expect.arrayContaining(['approval requested', 'approval approved', 'started', 'succeeded']),
    );
    // No row without its place: an approval's service and environment come from its view.
    const places = await page.locator('#events tr[data-kind] td:nth-child(3)').allTextContents();
    // A freeze's place is its scope: `*` stands for every service or environment.
    expect(places.filter((p) => !/^(hello|\*)\/(\w+|\*)$/.test(p.trim()))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'events.png'), fullPage: true });
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(`${origin}/`);
    await page.waitForSelector('tr[data-service]');
    expect(await page.evaluate(FITS_THE_WINDOW)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'overview-800.png'), fullPage: true });
    await sleep(1000);
    expect(problems).toEqual([]);
  });
});
