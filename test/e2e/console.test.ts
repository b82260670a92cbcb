import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';

/*
 * The web console as a person uses it, in a real headless Chromium (the one @sparticuz/chromium carries in its
 * npm package, driven by playwright-core): `bakeshift console` next to `bakeshift up`, deployments made with
 * the CLI seen advancing in the page, an approval given by clicking. Screenshots of each page are kept in
 * test-artifacts/console/.
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
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const child of [consoleProcess, controlPlane]) {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(home, { recursive: true, force: true });
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

describe('the web console (bakeshift console, in a real browser)', () => {
  it('logs in once, then shows every service × environment', async () => {
    await page.goto(loginUrl);
    await page.waitForSelector('tr[data-service="hello/staging"]');
    expect(await page.locator('tr[data-service]').count()).toBe(2);
    expect(await page.textContent('tr[data-service="hello/staging"] .live-version')).toBe('nothing live');
    await page.screenshot({ path: join(SHOTS, 'overview-empty.png'), fullPage: true });
    // The login link works once.
    const again = await fetch(loginUrl);
    expect(again.status).toBe(401);
  });

  it("shows the demo's three deployments as they run: their timelines advance, the broken one rolls back", async () => {
    const seen: Record<string, string[]> = {};
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const artifact = await buildHelloArtifact(version, home);
      const { stdout } = await bakeshift(
        'deploy',
        'hello',
        artifact,
        '--version',
        version,
        '--no-follow',
        '--json',
      );
      const { deploymentId } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
        deploymentId: string;
      };
      await page.goto(`${origin}/deployments/${deploymentId}`);
      const steps = () =>
        page
          .locator('#timeline tr.step')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step') ?? ''));
      await until(async () => (await steps()).length >= 2, `${version}'s first steps`);
      const early = await steps();
      await until(
        async () =>
          ['succeeded', 'rolled_back'].includes((await page.getAttribute('#outcome', 'data-status')) ?? ''),
        `${version}'s outcome`,
        120_000,
      );
      seen[version] = await steps();
      expect(seen[version].length).toBeGreaterThan(early.length);
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
    expect(seen['3.0.0']).toContain('DestroyGreen');
    expect(await page.textContent('#cause')).toMatch(/AwaitGreenHealthy/);

    await page.goto(`${origin}/history/hello/staging`);
    const outcomes = await page.locator('#history tr[data-deployment] td:nth-child(3)').allTextContents();
    expect(outcomes).toEqual(['rolled_back', 'succeeded', 'succeeded']);
    await page.screenshot({ path: join(SHOTS, 'history.png'), fullPage: true });
  }, 400_000);

  it('Approve in the page: the deployment goes on, traffic shifts, the record shows who approved', async () => {
    const artifact = await buildHelloArtifact('2.0.0', home);
    await bakeshift('deploy', 'hello', artifact, '--env', 'prod', '--version', '2.0.0', '--no-follow');
    await page.goto(`${origin}/`);
    await page.waitForSelector('tr[data-approval] button.approve', { timeout: 120_000 });
    await page.screenshot({ path: join(SHOTS, 'overview-approval.png'), fullPage: true });
    const deploymentId = (await page.getAttribute('tr[data-approval]', 'data-approval')) ?? '';
    await page.goto(`${origin}/deployments/${deploymentId}`);
    await page.click('button.approve');
    await page.waitForSelector('.decided');
    expect(await page.textContent('.decided')).toBe('approved');
    await until(
      async () => (await page.getAttribute('#outcome', 'data-status')) === 'succeeded',
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
    expect(await page.textContent('tr[data-service="hello/prod"] .bar')).toContain('2.0.0 100%');
  }, 300_000);

  it('refuses a request without its session, without its token or from another origin; shows no secret', async () => {
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const decision = `${origin}/deployments/hello-prod-x/decision`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await fetch(`${origin}/`)).status).toBe(401);
    expect(
      (await fetch(decision, { method: 'POST', headers: { ...form, cookie, origin }, body: 'approve=true' }))
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
});
