import mt19937 from '@stdlib/random-base-mt19937';
import { decide } from '../../../core/analysis/analyze-green.js';
import { IncreaseEValue, increaseGrid } from '../../../core/analysis/increase-test.js';
import { ACROSS_TIME_LOG_CAP, judge, type Totals } from '../../../core/analysis/sequential-verdict.js';
import type { MetricBucket } from '../../../core/analysis/window-metrics.js';
import { classifyIncrease, kayentaFails } from './kayenta-judge.js';
import { BUCKET_SECONDS, type Scenario, SimulatedDeployment, slowerThan } from './simulated-service.js';
import { judgeWindow } from './wilson-rule.js';

/*
 * The three rules side by side on the same simulated traffic (ADR 40): each deployment shifts 10 % for 5
 * minutes, 50 % for 5 minutes, then 100 % while blue stays warm 5 minutes, after 10 minutes of blue alone.
 */
const BASELINE_BUCKETS = 600 / BUCKET_SECONDS;
const STEPS = [
  { weight: 0.1, holdSeconds: 300 },
  { weight: 0.5, holdSeconds: 300 },
  { weight: 1, holdSeconds: 300 },
];
const SETTINGS = {
  alpha: 0.01,
  minErrorIncrease: 0.005,
  minLatencyIncreaseMs: 20,
  warmUpSeconds: 30,
  extendInconclusiveSeconds: 300,
};

type Bucket = MetricBucket & { bins: number[] };
export type Outcome = 'pass' | 'fail' | 'inconclusive';
export interface RuleRun {
  outcome: Outcome;
  /** Seconds and green requests from the first shift to the verdict that ended the deployment. */
  seconds: number;
  greenRequests: number;
  /** The step's weight when it ended (1 when it passed). */
  weight: number;
  reason?: string;
}

/** Walks one deployment's schedule bucket by bucket; `look` ends it with an outcome, or lets it go on. */
function walk(
  sim: SimulatedDeployment,
  look: (
    b: { green: Bucket; blue: Bucket },
    ctx: { step: number; inStep: number; age: number },
  ) => Outcome | 'continue' | 'next',
  maxBucketsPerStep: (step: number) => number,
): RuleRun {
  let index = BASELINE_BUCKETS;
  let greenRequests = 0;
  for (const [step, { weight }] of STEPS.entries()) {
    for (let inStep = 0; inStep < maxBucketsPerStep(step); inStep++, index++) {
      const age = (index - BASELINE_BUCKETS) * BUCKET_SECONDS;
      const b = sim.bucket(index, weight, age) as { green: Bucket; blue: Bucket };
      greenRequests += b.green.requests;
      const verdict = look(b, { step, inStep, age });
      if (verdict === 'next') {
        index++;
        break;
      }
      if (verdict !== 'continue')
        return { outcome: verdict, seconds: age + BUCKET_SECONDS, greenRequests, weight };
    }
  }
  return { outcome: 'pass', seconds: (index - BASELINE_BUCKETS) * BUCKET_SECONDS, greenRequests, weight: 1 };
}

function baselineOf(seed: number, scenario: Scenario) {
  const sim = new SimulatedDeployment(seed, scenario);
  const baseline = Array.from({ length: BASELINE_BUCKETS }, (_, i) => sim.bucket(i, 0, 0).blue as Bucket);
  return { sim, baseline };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN) : Number.NaN;
};

function totalsOf(): Totals & { w50: number; w99: number } {
  return { requests: 0, errors: 0, slow: [0, 0], p50Ms: null, p99Ms: null, w50: 0, w99: 0 };
}

function add(t: ReturnType<typeof totalsOf>, b: Bucket, slow: number[]) {
  t.requests += b.requests;
  t.errors += b.errors;
  t.slow = t.slow.map((n, k) => n + (slow[k] ?? 0));
  t.w50 += (b.p50Ms ?? 0) * b.requests;
  t.w99 += (b.p99Ms ?? 0) * b.requests;
  t.p50Ms = t.requests ? Math.round(t.w50 / t.requests) : null;
  t.p99Ms = t.requests ? Math.round(t.w99 / t.requests) : null;
}

/** The new rule's running state: its e-values and totals, fed bucket by bucket after the warm-up. */
class SequentialState {
  readonly errors = new IncreaseEValue(increaseGrid(SETTINGS.minErrorIncrease));
  readonly slow = [new IncreaseEValue(), new IncreaseEValue()];
  readonly green = totalsOf();
  readonly blue = totalsOf();
  // Slow requests and quantiles after the warm-up only (compare in sequential-verdict.ts).
  private readonly greenWarm = totalsOf();
  private readonly blueWarm = totalsOf();
  private nextBaseline = 0;

  constructor(
    private readonly baseline: Bucket[],
    readonly thresholds: number[],
  ) {}

  /**
   * Green's bucket against blue's in it, or (all traffic on green) blue's next bucket before the shift; errors
   * from the shift, slow requests once `warm`.
   */
  add(b: { green: Bucket; blue: Bucket }, warm: boolean) {
    const acrossTime = b.blue.requests === 0;
    const other = acrossTime ? this.baseline[this.nextBaseline++] : b.blue;
    if (!other) return;
    const requests = b.green.requests + other.requests;
    const share = b.green.requests / requests;
    const gs = this.thresholds.map((t) => slowerThan(b.green, t));
    const bs = this.thresholds.map((t) => slowerThan(other, t));
    const cap = acrossTime ? { logCap: ACROSS_TIME_LOG_CAP } : {};
    this.errors.add({ green: b.green.errors, blue: other.errors, share, requests, ...cap });
    add(this.green, b.green, gs);
    add(this.blue, other, bs);
    if (!warm) return;
    for (const [k, e] of this.slow.entries())
      e.add({ green: gs[k] ?? 0, blue: bs[k] ?? 0, share, requests, ...cap });
    add(this.greenWarm, b.green, gs);
    add(this.blueWarm, other, bs);
  }

  findings() {
    const latencyOf = (all: Totals, warm: Totals) => ({
      ...all,
      slow: warm.slow,
      p50Ms: warm.p50Ms,
      p99Ms: warm.p99Ms,
    });
    return {
      errorsLogE: this.errors.logE(),
      slowLogE: this.slow.map((e) => e.logE()),
      green: latencyOf(this.green, this.greenWarm),
      blue: latencyOf(this.blue, this.blueWarm),
      errorEffect: this.green.requests && this.blue.requests ? this.errors.estimate() : null,
    };
  }
}

const holdBuckets = (step: number) => (STEPS[step]?.holdSeconds ?? 0) / BUCKET_SECONDS;

/** One look of the new rule at the end of bucket `inStep` of `step`: the handlers' judge and decide. */
function lookSequential(state: SequentialState, baselineRequests: number, step: number, inStep: number) {
  const now = (inStep + 1) * BUCKET_SECONDS * 1000;
  const holdEndsAt = new Date(holdBuckets(step) * BUCKET_SECONDS * 1000);
  const judgement = judge(state.findings(), SETTINGS, state.thresholds, now >= holdEndsAt.getTime());
  const { green, blue } = state;
  return decide({ step: `step ${step}`, holdEndsAt }, SETTINGS, {
    now: new Date(now),
    settledUntil: now,
    judgement,
    worstCase: judgement,
    unattributed: 0,
    idle: false,
    baselineRequests,
    alarmsFiring: [],
    totals: { green, blue },
  });
}

/** The new rule: the handlers' own judge and decide, fed bucket by bucket, looking every 10 s. */
export function runSequential(seed: number, scenario: Scenario): RuleRun {
  const { sim, baseline } = baselineOf(seed, scenario);
  const thresholds = [
    median(baseline.map((b) => b.p50Ms ?? 0)) + SETTINGS.minLatencyIncreaseMs,
    median(baseline.map((b) => b.p99Ms ?? 0)) + SETTINGS.minLatencyIncreaseMs,
  ];
  const state = new SequentialState(baseline, thresholds);
  const baselineRequests = baseline.reduce((n, x) => n + x.requests, 0);
  let lastReason = '';
  const run = walk(
    sim,
    (b, { step, inStep, age }) => {
      if (b.green.requests > 0) state.add(b, age >= SETTINGS.warmUpSeconds);
      const result = lookSequential(state, baselineRequests, step, inStep);
      if (result.state === 'undecided') return 'continue';
      lastReason = result.entry.reason;
      const outcome = result.entry.outcome ?? 'fail';
      return outcome === 'pass' ? 'next' : outcome;
    },
    (step) => holdBuckets(step) + SETTINGS.extendInconclusiveSeconds / BUCKET_SECONDS,
  );
  return { ...run, reason: lastReason };
}

const WILSON = {
  minRequests: 100,
  maxErrorRate: 0.01,
  errorRateMargin: 0.01,
  latencyFactor: 2,
  minLatencyDeltaMs: 20,
};

function windowOf(buckets: Bucket[]) {
  const bins = buckets[0]?.bins.map((_, i) => buckets.reduce((n, b) => n + (b.bins[i] ?? 0), 0)) ?? [];
  const requests = buckets.reduce((n, b) => n + b.requests, 0);
  const fake: Bucket = { at: 0, requests, errors: 0, slow: [], p50Ms: null, p99Ms: null, bins };
  // The p99 over the window, from the summed bins (as the local load balancer and CloudWatch give it).
  let seen = 0;
  let p99: number | null = null;
  for (const [i, n] of bins.entries()) {
    seen += n;
    if (p99 === null && requests && seen >= 0.99 * requests) p99 = Math.ceil(1.25 ** i);
  }
  return { requests, errors: buckets.reduce((n, b) => n + b.errors, 0), p99Ms: fake.requests ? p99 : null };
}

/** Today's rule (ADR 30): at each weighted step's end, and every 30 s while blue is warm (absolute limits). */
export function runWilson(seed: number, scenario: Scenario): RuleRun {
  const { sim } = baselineOf(seed, scenario);
  let seen: { green: Bucket[]; blue: Bucket[] } = { green: [], blue: [] };
  return walk(
    sim,
    (b, { step, inStep }) => {
      if (inStep === 0) seen = { green: [], blue: [] };
      seen.green.push(b.green);
      seen.blue.push(b.blue);
      const last = inStep + 1 === (STEPS[step]?.holdSeconds ?? 0) / BUCKET_SECONDS;
      const warm = STEPS[step]?.weight === 1;
      if (!last && !(warm && (inStep + 1) % 3 === 0)) return 'continue';
      const verdict = judgeWindow(windowOf(seen.green), warm ? null : windowOf(seen.blue), WILSON);
      if (!verdict.passed) return 'fail';
      return last ? 'next' : 'continue';
    },
    (step) => (STEPS[step]?.holdSeconds ?? 0) / BUCKET_SECONDS,
  );
}

/** Kayenta's judge at each step's end over one-minute intervals; while blue is warm, blue's last minutes before. */
export function runKayenta(seed: number, scenario: Scenario): RuleRun {
  const { sim, baseline } = baselineOf(seed, scenario);
  const { normalized } = mt19937.factory({ seed: seed + 7 }) as unknown as { normalized: () => number };
  const noise = () => Math.sqrt(-2 * Math.log(normalized() || 1e-12)) * Math.cos(2 * Math.PI * normalized());
  let seen: { green: Bucket[]; blue: Bucket[] } = { green: [], blue: [] };
  const minutes = (buckets: Bucket[]) =>
    Array.from({ length: Math.floor(buckets.length / 6) }, (_, m) =>
      windowOf(buckets.slice(m * 6, m * 6 + 6)),
    );
  return walk(
    sim,
    (b, { step, inStep }) => {
      if (inStep === 0) seen = { green: [], blue: [] };
      seen.green.push(b.green);
      seen.blue.push(b.blue);
      if (inStep + 1 < (STEPS[step]?.holdSeconds ?? 0) / BUCKET_SECONDS) return 'continue';
      const control = minutes(STEPS[step]?.weight === 1 ? baseline : seen.blue);
      const experiment = minutes(seen.green);
      const errorRate = (m: { requests: number; errors: number }) =>
        m.requests ? m.errors / m.requests : Number.NaN;
      const p99 = (m: { p99Ms: number | null }) => m.p99Ms ?? Number.NaN;
      const classes = [
        classifyIncrease(control.map(errorRate), experiment.map(errorRate), noise),
        classifyIncrease(control.map(p99), experiment.map(p99), noise),
      ];
      return kayentaFails(classes) ? 'fail' : 'next';
    },
    (step) => (STEPS[step]?.holdSeconds ?? 0) / BUCKET_SECONDS,
  );
}

export const RULES = { sequential: runSequential, wilson: runWilson, kayenta: runKayenta } as const;
export const BAD_SCENARIOS: Scenario[] = [
  'errorsPlus0.5',
  'errorsPlus1',
  'errorsPlus5',
  'p99Plus50ms',
  'outage',
];

/** Every rule's figures: good deployments rolled back, and each bad scenario's time and requests to detection. */
export function compareRules(good = 1000, badPerScenario = 200) {
  const rules: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(RULES)) {
    const goodRuns = Array.from({ length: good }, (_, i) => run(1_000_000 + i, 'good'));
    const detection: Record<string, unknown> = {};
    for (const scenario of BAD_SCENARIOS) {
      const runs = Array.from({ length: badPerScenario }, (_, i) => run(2_000_000 + i, scenario));
      // Not detected (passed, or ended inconclusive) counts as never: the median is over every deployment.
      const detectedAt = (r: RuleRun, key: 'seconds' | 'greenRequests') =>
        r.outcome === 'fail' ? r[key] : Number.POSITIVE_INFINITY;
      const finite = (x: number) => (Number.isFinite(x) ? x : null);
      const firstStep = runs.filter((r) => r.outcome === 'fail' && r.weight === 0.1);
      detection[scenario] = {
        deployments: runs.length,
        medianRequests: finite(median(runs.map((r) => detectedAt(r, 'greenRequests')))),
        medianSeconds: finite(median(runs.map((r) => detectedAt(r, 'seconds')))),
        missed: runs.filter((r) => r.outcome === 'pass').length,
        inconclusive: runs.filter((r) => r.outcome === 'inconclusive').length,
        atFirstStep: firstStep.length,
        // Over the deployments detected at 10 % only (the others had too little traffic there).
        atFirstStepMedianRequests: finite(median(firstStep.map((r) => r.greenRequests))),
      };
    }
    rules[name] = {
      goodDeployments: good,
      // Inconclusive rolls back too (onInconclusive: rollback): counted, and also shown apart.
      falseRollbacks: goodRuns.filter((r) => r.outcome !== 'pass').length,
      inconclusive: goodRuns.filter((r) => r.outcome === 'inconclusive').length,
      detection,
    };
  }
  return rules;
}
