import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../local/demo/run-demo.js';

/**
 * Judgement beyond the health check, in local mode under real load (50 keep-alive connections): versions that
 * pass their health check but fail their users are rolled back during the first weighted step, from the load
 * balancer's own counts; a good version is not.
 */
const FIRST_STEP = { percent: 10, holdSeconds: 8 };

describe('analysis at the weighted steps (local mode, under load)', () => {
  let home: string;
  let result: DemoResult;

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('rolls back a version failing 5 % of requests and one three times slower, at 10 %; keeps a good one', async () => {
    home = await mkdtemp(join(tmpdir(), 'bakeshift-analysis-'));
    result = await runDemo({
      home,
      staging: {
        traffic: { strategy: 'weighted', steps: [FIRST_STEP, { percent: 100, holdSeconds: 0 }] },
        keepBlueWarmSeconds: 4,
        analysis: { warmUpSeconds: 1, extendInconclusiveSeconds: 30 },
      },
      connections: 50,
      log: () => undefined,
      plan: [
        { version: '1.0.0', expect: 'succeeded' },
        { version: '5.0.0', expect: 'rolled_back' },
        { version: '6.0.0', expect: 'rolled_back' },
        { version: '2.0.0', expect: 'succeeded' },
      ],
    });
    const [, failing, slow, good] = result.deployments;
    expect(result.deployments.map((d) => d.outcome)).toEqual([
      'succeeded',
      'rolled_back',
      'rolled_back',
      'succeeded',
    ]);

    // 5 %: stopped at the first step, never shifted to 100 %; its errors reached only that step's share.
    expect(failing?.cause).toMatch(
      /CheckGreenAtWeight failed with AnalysisFailed: CheckGreenAtWeight 10%: green surely has more errors than blue: errors: green \d+\/\d+/,
    );
    expect(failing?.shiftedAt).toBeUndefined();
    const verdict = failing?.analysis.at(-1);
    expect(verdict).toMatchObject({
      step: 'CheckGreenAtWeight 10%',
      passed: false,
      judged: true,
      outcome: 'fail',
    });
    expect(verdict?.statistics?.errors.eValue).toBeGreaterThanOrEqual(200);
    expect(verdict?.statistics?.errors.effect).toBeGreaterThanOrEqual(0.005);
    expect(verdict?.green.requests).toBeGreaterThan(0);
    expect(verdict?.blue?.requests).toBeGreaterThan(verdict?.green.requests ?? 0);
    expect(failing?.failedRequests).toBeGreaterThan(0);
    // Bounded by the step's weight × the error rate × what was sent in the deployment (×2 for chance).
    expect(failing?.failedRequests).toBeLessThanOrEqual(Math.ceil(0.1 * 0.05 * (failing?.requests ?? 0) * 2));

    expect(slow?.cause).toMatch(
      /AnalysisFailed: CheckGreenAtWeight 10%: green surely is slower than blue: .*latency: slower than \d+ ms: green \d+, blue \d+/,
    );
    expect(slow?.shiftedAt).toBeUndefined();
    expect(slow?.failedRequests).toBe(0);

    expect(good?.failedRequests).toBe(0);
    expect(good?.analysis.map((a) => [a.step, a.passed])).toEqual([
      ['CheckGreenAtWeight 10%', true],
      ['WatchGreen', true],
    ]);
    // Each judged verdict is an event too (and a Slack message where the environment has a channel).
    const verdicts = (await readFile(join(home, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { kind?: string; version?: string; detail?: string })
      .filter((e) => e.kind === 'analysis_verdict');
    expect(verdicts.find((e) => e.version === '5.0.0')?.detail).toMatch(
      /^CheckGreenAtWeight 10% failed: green surely has more errors than blue: errors: green/,
    );
    expect(verdicts.filter((e) => e.version === '2.0.0').map((e) => e.detail)).toEqual([
      expect.stringMatching(
        /^CheckGreenAtWeight 10% passed: no regression worth a rollback: errors: green 0\/\d+/,
      ),
      expect.stringMatching(/^WatchGreen passed: no regression worth a rollback: errors: green 0\/\d+/),
    ]);
  }, 240_000);

  it('pre-traffic tests: a version that fails them never takes a request; one that passes goes on', async () => {
    // 200 requests to the preview: a version failing 5 % of them is caught (the chance it is not: 0.95^200).
    const command = `node -e "(async () => { for (let i = 0; i < 200; i++) { const r = await fetch(process.env.PREVIEW_URL + '/'); if (r.status >= 500) { console.error('request ' + i + ' answered ' + r.status); process.exit(1); } } console.log('200 requests ok on ' + process.env.BAKESHIFT_VERSION); })()"`;
    const staging = {
      keepBlueWarmSeconds: 2,
      preTraffic: {
        timeoutSeconds: 30,
        checks: [
          { name: 'healthy', path: '/health', bodyContains: 'ok' },
          {
            name: 'greets',
            path: '/',
            jsonField: { path: 'greeting', equals: 'hello from staging' },
            maxLatencyMs: 2000,
          },
        ],
        command,
      },
    };
    const run = await runDemo({
      home: join(home, 'pre-traffic'),
      staging,
      connections: 50,
      log: () => undefined,
      plan: [
        { version: '1.0.0', expect: 'succeeded' },
        { version: '5.0.0', expect: 'rolled_back' },
        { version: '2.0.0', expect: 'succeeded' },
      ],
    });
    const [, failing, passing] = run.deployments;
    expect(run.deployments.map((d) => d.outcome)).toEqual(['succeeded', 'rolled_back', 'succeeded']);
    expect(failing?.cause).toMatch(
      /RunPreTrafficTests failed with PreTrafficTestFailed: command: exited with 1: request \d+ answered 500/,
    );
    expect(failing?.shiftedAt).toBeUndefined();
    expect(failing?.answeredBy['5.0.0'] ?? 0).toBe(0);
    expect(failing?.requests).toBeGreaterThan(0);
    expect(passing?.failedRequests).toBe(0);
    expect(passing?.answeredBy['2.0.0']).toBeGreaterThan(0);
  }, 240_000);
});
