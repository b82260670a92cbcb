import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../local/demo/run-demo.js';
import { isRunning } from '../support/process-state.js';

/**
 * What `npm run demo` does, with assertions, plus a version that fails after taking traffic: the real state
 * machine and handlers, real processes, the local load balancer and dynalite, under steady load.
 */
describe('local mode end to end, under load', () => {
  let result: DemoResult;
  let home: string;

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('deploys v1, then v2 with zero failed requests, then rolls back the broken v3 (no failed request) and v4 (failures only until the shift back)', async () => {
    home = await mkdtemp(join(tmpdir(), 'bakeshift-e2e-'));
    result = await runDemo({
      home,
      // Blue stays warm long enough for v4's health to fail inside the window.
      staging: { keepBlueWarmSeconds: 12 },
      connections: 50,
      log: () => undefined,
      plan: [
        { version: '1.0.0', expect: 'succeeded' },
        { version: '2.0.0', expect: 'succeeded' },
        { version: '3.0.0', expect: 'rolled_back' },
        { version: '4.0.0', expect: 'rolled_back' },
      ],
    });
    const [v1, v2, v3, v4] = result.deployments;

    expect(result.deployments.map((d) => d.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'rolled_back',
      'rolled_back',
    ]);
    expect(v1?.shiftedAt).toBeDefined();

    // v1 → v2: at least 10,000 requests across the cutover, none failed, answered by those two versions only.
    expect(v2?.requests).toBeGreaterThanOrEqual(10_000);
    expect(v2?.failedRequests).toBe(0);
    expect(Object.keys(v2?.answeredBy ?? {}).sort()).toEqual(['1.0.0', '2.0.0']);

    // v3 never becomes healthy (it answers 503 on every path): rolled back before any traffic moved, so 2.0.0
    // alone answered while it ran and none failed.
    expect(v3?.shiftedAt).toBeUndefined();
    expect(v3?.cause).toContain('AwaitGreenHealthy failed with HealthCheckFailed');
    expect(v3?.requests).toBeGreaterThan(0);
    expect(v3?.answeredBy).toEqual({ '2.0.0': v3?.requests });
    expect(v3?.failedBy).toEqual({});

    // v4 takes traffic, then breaks (503 on every path) while blue is warm: traffic goes back to v2. Its users
    // see its failures from the moment it breaks until the shift back, and none after: every failure is 4.0.0's
    // own, the last one was sent before the load balancer moved traffic back, and 2.0.0 alone answers after.
    expect(v4?.shiftedAt).toBeDefined();
    // Whichever sees it first: the health check, or the analysis of its users' error rate.
    expect(v4?.cause).toMatch(/^WatchGreen failed with (HealthCheckFailed|AnalysisFailed)/);
    expect(Object.keys(v4?.answeredBy ?? {}).sort()).toEqual(['2.0.0', '4.0.0']);
    expect(Object.keys(v4?.failedBy ?? {})).toEqual(['4.0.0']);
    expect(v4?.shiftedBackAt).toBeDefined();
    const [firstFailure, lastFailure] = v4?.failuresSentBetween ?? [0, Number.POSITIVE_INFINITY];
    expect(lastFailure).toBeLessThanOrEqual(v4?.shiftedBackAt ?? 0);
    // The README's bound: from its first failure to the shift back took at most 5 s.
    expect((v4?.shiftedBackAt ?? 0) - firstFailure).toBeLessThanOrEqual(5_000);

    expect(result.failedRequests).toBe(v4?.failedRequests);
    // Zero failed requests is not zero by retrying: the load balancer retried at most 1 in 1,000 on another target.
    expect(result.retriedRequests).toBeLessThanOrEqual(result.requests / 1000);
    expect(Object.keys(result.servedAtEnd)).toEqual(['2.0.0']);
    // The data plane switches in one step: no request sent after the switch is answered by the old version.
    expect(result.cutoverMs).toBeLessThanOrEqual(10);
  }, 180_000);

  it('leaves no instance process behind', () => {
    // Four deployments of two instances each (none crashed, so none was replaced).
    expect(result.instancePids).toHaveLength(8);
    expect(result.instancePids.filter(isRunning)).toEqual([]);
  });
});
