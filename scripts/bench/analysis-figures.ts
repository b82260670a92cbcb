import { runDemo } from '../../local/demo/run-demo.js';
import { compareRules } from './analysis/compare-rules.js';

const GOOD_DEPLOYMENTS = 20;
const FIRST_STEP = { percent: 10, holdSeconds: 5 };

export interface AnalysisFigures {
  /** Requests the version failing 5 % of requests failed before it was rolled back (it took 10 % of traffic). */
  badVersionFailedRequests: number;
  /** From its first shift's start to the verdict that rolled it back. */
  detectedAfterMs: number;
  /** Good versions (no errors, same speed) rolled back by analysis, of GOOD_DEPLOYMENTS. */
  falseRollbacks: number;
  goodDeployments: number;
  /**
   * The new rule, today's Wilson rule and Kayenta's judge side by side on the same simulated traffic
   * (scripts/bench/analysis/compare-rules.ts): `<rule>.goodDeployments`, `.falseRollbacks`, `.inconclusive` and
   * `.detection.<scenario>.{medianRequests, medianSeconds, missed, inconclusive, atFirstStep}`.
   */
  rules: ReturnType<typeof compareRules>;
}

/**
 * Local mode under 50 connections with a weighted first step (10 % for 5 s): one version failing 5 % of its
 * requests, then GOOD_DEPLOYMENTS good ones (1.0.0 and 2.0.0 in turn), each judged by the default limits.
 */
export async function measureAnalysis(): Promise<AnalysisFigures> {
  const good = Array.from({ length: GOOD_DEPLOYMENTS }, (_, i) => ({
    version: `${i % 2 === 0 ? '2.0.0' : '1.0.0'}-run.${i}`,
    expect: 'succeeded' as const,
  }));
  const result = await runDemo({
    staging: {
      traffic: { strategy: 'weighted', steps: [FIRST_STEP, { percent: 100, holdSeconds: 0 }] },
      keepBlueWarmSeconds: 2,
    },
    connections: 50,
    log: () => undefined,
    plan: [{ version: '1.0.0', expect: 'succeeded' }, { version: '5.0.0', expect: 'rolled_back' }, ...good],
  });
  const [, bad, ...rest] = result.deployments;
  const rules = compareRules();
  const verdict = bad?.analysis.find((a) => !a.passed);
  return {
    badVersionFailedRequests: bad?.failedRequests ?? Number.NaN,
    detectedAfterMs:
      verdict && bad?.shiftStartedAt ? Date.parse(verdict.at) - bad.shiftStartedAt : Number.NaN,
    falseRollbacks: rest.filter((d) => d.outcome !== 'succeeded').length,
    goodDeployments: rest.length,
    rules,
  };
}
