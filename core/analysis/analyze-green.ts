import type { Plan } from '../deployment/deployment-plan.js';
import type { AnalysisEntry } from '../deployment/deployment-record.js';
import { deploymentRef, notifyQuietly } from '../deployment/notify-quietly.js';
import { AnalysisFailed, AnalysisInconclusive, AnalysisInDoubt } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { Notifier } from '../ports/notifier.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { TrafficMetrics } from '../ports/traffic-metrics.js';
import { compare, type Judgement, judgeComparison } from './sequential-verdict.js';
import type { MetricBucket } from './window-metrics.js';

/** How far back blue's own buckets before the first shift are read: its latency threshold and the baseline. */
export const BASELINE_SECONDS = 1800;

export interface GreenLook {
  plan: Plan;
  /** Where the verdict is made, for the record: `CheckGreenAtWeight 10%`, `WatchGreen`. */
  step: string;
  greenFleetId: string;
  /** When green first took traffic: the tests run from there (latency after the warm-up) to now. */
  firstShiftAt: Date;
  /** Before this nothing passes; after it (and the extension) nothing stays undecided. */
  holdEndsAt: Date;
}

/** A look's result: undecided yet (look again), or a verdict to keep. */
export type LookResult = { state: 'undecided'; note: string } | { state: 'decided'; entry: AnalysisEntry };

const mean = (buckets: MetricBucket[]) => {
  const requests = buckets.reduce((n, b) => n + (b.p99Ms === null ? 0 : b.requests), 0);
  const weighted = buckets.reduce((n, b) => n + (b.p99Ms ?? 0) * b.requests, 0);
  return requests ? Math.round(weighted / requests) : null;
};

/** The middle value: a few slow buckets (a load ramping up, a pause) do not move blue's threshold. */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? null) : null;
};

type Analysis = NonNullable<Plan['settings']['analysis']>;

/**
 * The latency thresholds blue's buckets before the first shift give: the median of their p50s and of their
 * p99s, each plus the floor (a median, so a few slow buckets, a load ramping up, move nothing). None when blue
 * answered nothing then.
 */
async function latencyThresholdsOf(deps: { metrics: TrafficMetrics }, look: GreenLook, blueFleetId: string) {
  const from = new Date(look.firstShiftAt.getTime() - BASELINE_SECONDS * 1000);
  const series = await deps.metrics.series(look.plan, [blueFleetId], from, look.firstShiftAt, {
    slowerThanMs: [],
  });
  const buckets = (series.fleets[blueFleetId] ?? []).filter((b) => b.requests > 0);
  const floor = look.plan.settings.analysis?.minLatencyIncreaseMs ?? 0;
  const quantiles = [
    median(buckets.map((b) => b.p50Ms).filter((p): p is number => p !== null)),
    median(buckets.map((b) => b.p99Ms).filter((p): p is number => p !== null)),
  ];
  return quantiles.some((q) => q === null) ? [] : quantiles.map((q) => (q ?? 0) + floor);
}

function entryOf(
  look: Pick<GreenLook, 'step'>,
  at: Date,
  outcome: 'pass' | 'fail' | 'inconclusive',
  reason: string,
  judgement: Judgement | null,
  alarmsFiring: string[],
  totals: Pick<AnalysisEntry, 'green' | 'blue'>,
): AnalysisEntry {
  return {
    step: look.step,
    at: at.toISOString(),
    passed: outcome === 'pass',
    judged: judgement !== null || alarmsFiring.length > 0,
    outcome,
    reason,
    ...(judgement
      ? {
          statistics: {
            errors: pick(judgement.errors),
            latency: pick(judgement.latency),
            requests: judgement.requests,
          },
        }
      : {}),
    ...totals,
    alarmsFiring,
  };
}

/**
 * The largest e-value a record keeps: overwhelming evidence reaches 1e50 and more, which DynamoDB's document
 * client refuses to write or read back as a JavaScript number (beyond Number.MAX_SAFE_INTEGER). Far above any
 * threshold (200 at α = 1 %), so the verdict reads the same; the explanation's text keeps the full figure.
 */
export const MAX_RECORDED_E_VALUE = 1e15;

const pick = (t: Judgement['errors']) => ({
  eValue: Number(Math.min(t.eValue, MAX_RECORDED_E_VALUE).toPrecision(4)),
  threshold: t.threshold,
  effect: t.effect === null ? null : Number(t.effect.toFixed(6)),
  floor: t.floor,
});

/**
 * One look at green (ADR 40): its buckets since the first shift (latency after the warm-up) against blue's, over the
 * same buckets while blue takes traffic and against blue's own before the shift once green takes it all.
 * Fails as soon as a test is sure; passes only after the hold, on settled buckets, with enough requests to
 * have seen the minimum effect; otherwise undecided until the hold and its extension end, then inconclusive.
 * Undefined when the environment turned analysis off.
 */
export async function lookAtGreen(
  deps: { metrics: TrafficMetrics; clock: Clock },
  look: GreenLook,
): Promise<LookResult | undefined> {
  const settings = look.plan.settings.analysis;
  if (!settings?.enabled) return undefined;
  const now = deps.clock.now();
  const alarmsFiring = settings.alarms.length ? await deps.metrics.alarmsFiring(settings.alarms) : [];
  const blueFleetId = look.plan.blue?.fleetId;
  const none = { green: { requests: 0, errors: 0, p99Ms: null }, blue: null };
  if (!blueFleetId) {
    // A first release has nothing to compare with, and nothing to roll back to.
    if (alarmsFiring.length)
      return decided(
        entryOf(look, now, 'fail', `in ALARM: ${alarmsFiring.join(', ')}`, null, alarmsFiring, none),
      );
    if (now < look.holdEndsAt) return { state: 'undecided', note: 'no blue to compare with' };
    return decided(entryOf(look, now, 'pass', 'not judged: no blue to compare with', null, [], none));
  }
  const thresholdsMs = await latencyThresholdsOf(deps, look, blueFleetId);
  // One query from blue's baseline to now: blue's own buckets before the shift, then both fleets' since.
  const baselineFrom = look.firstShiftAt.getTime() - BASELINE_SECONDS * 1000;
  const series = await deps.metrics.series(
    look.plan,
    [look.greenFleetId, blueFleetId],
    new Date(baselineFrom),
    now,
    {
      slowerThanMs: thresholdsMs,
    },
  );
  // Errors from the first bucket that begins at the shift (a bucket straddling it would misstate green's
  // share); slow requests only from the warm-up's end (compare).
  const from = look.firstShiftAt.getTime();
  const warmFrom = from + settings.warmUpSeconds * 1000;
  const bucketMs = series.bucketSeconds * 1000;
  const since = (buckets: MetricBucket[] = []) => buckets.filter((b) => b.at >= from);
  const baseline = (series.fleets[blueFleetId] ?? []).filter(
    (b) => b.at + bucketMs <= look.firstShiftAt.getTime() && b.requests > 0,
  );
  const green = since(series.fleets[look.greenFleetId]);
  const blue = since(series.fleets[blueFleetId]);
  const firstIndex = (series.fleets[look.greenFleetId] ?? []).findIndex((b) => b.at >= from);
  const unattributedErrors = firstIndex < 0 ? [] : series.unattributedErrors.slice(firstIndex);
  const afterHold = now >= look.holdEndsAt;
  const { judgement, worstCase, unattributed } = judgeGreen(
    { green, blue, baseline, unattributedErrors, warmFrom },
    settings,
    thresholdsMs,
    afterHold,
  );
  const totals = totalsOf(green, blue);
  const idle =
    baseline.length === 0 && totals.green.requests + (totals.blue?.requests ?? 0) + unattributed === 0;
  return decide(look, settings, {
    idle,
    baselineRequests: baseline.reduce((n, b) => n + b.requests, 0),
    emptyMeansNoRequests: series.emptyMeansNoRequests === true,
    now,
    settledUntil: series.settledUntil,
    judgement,
    worstCase,
    unattributed,
    alarmsFiring,
    totals,
  });
}

const decided = (entry: AnalysisEntry): LookResult => ({ state: 'decided', entry });

/**
 * The verdict's numbers, and the worst case where load-balancer 5xx no target group accounts for are counted as
 * green's (the same judgement when there are none).
 */
function judgeGreen(
  buckets: {
    green: MetricBucket[];
    blue: MetricBucket[];
    baseline: MetricBucket[];
    unattributedErrors: number[];
    warmFrom: number;
  },
  settings: Analysis,
  thresholdsMs: number[],
  afterHold: boolean,
) {
  const { green, blue, baseline, unattributedErrors, warmFrom } = buckets;
  const judgement = judgeComparison(
    compare(green, blue, baseline, [], warmFrom),
    settings,
    thresholdsMs,
    afterHold,
  );
  const unattributed = unattributedErrors.reduce((x, y) => x + y, 0);
  const worstCase = unattributed
    ? judgeComparison(
        compare(green, blue, baseline, unattributedErrors, warmFrom),
        settings,
        thresholdsMs,
        false,
      )
    : judgement;
  return { judgement, worstCase, unattributed };
}

function totalsOf(green: MetricBucket[], blue: MetricBucket[]): Pick<AnalysisEntry, 'green' | 'blue'> {
  const sum = (buckets: MetricBucket[]) => ({
    requests: buckets.reduce((n, b) => n + b.requests, 0),
    errors: buckets.reduce((n, b) => n + b.errors, 0),
    p99Ms: mean(buckets),
  });
  return { green: sum(green), blue: sum(blue) };
}

export interface Evidence {
  now: Date;
  settledUntil: number;
  judgement: Judgement;
  worstCase: Judgement;
  unattributed: number;
  /** No request reached blue before the shift, nor either fleet since, nor the load balancer's errors. */
  idle: boolean;
  baselineRequests: number;
  /** The metrics count every request (locally): no request counted is no request sent, not a late datapoint. */
  emptyMeansNoRequests?: boolean;
  alarmsFiring: string[];
  totals: Pick<AnalysisEntry, 'green' | 'blue'>;
}

/**
 * A regression the data leans to without being sure of it: the measured effect reaches the floor and the
 * e-value is halfway (in log) to its threshold, √(2/α) (≈ 14 at α = 1 %: strong evidence on Jeffreys' scale;
 * an e-value of a few is what a good version's noise gives on a quiet service). Null otherwise.
 */
function leaning(judgement: Judgement): string | null {
  const leans = (t: Judgement['errors']) =>
    t.effect !== null && t.effect >= t.floor && t.eValue >= Math.sqrt(t.threshold);
  const unsure = (t: Judgement['errors']) => `e-value ${t.eValue.toPrecision(3)} < ${t.threshold}`;
  if (leans(judgement.errors))
    return `green's error rate is over blue's by the floor or more, but not surely (${unsure(judgement.errors)})`;
  if (leans(judgement.latency))
    return `green is slower than blue by the floor or more, but not surely (${unsure(judgement.latency)})`;
  return null;
}

/**
 * Green got no request since the shift, and the metrics are exact (locally): nobody was served by green in the
 * window, so there is nothing to judge and a rollback would protect no one. On CloudWatch an empty minute may be a
 * datapoint not yet published, which stays a doubt.
 */
function silentGreen(e: Evidence): boolean {
  return e.emptyMeansNoRequests === true && e.judgement.requests.seen === 0 && e.unattributed === 0;
}

/** Why the look cannot pass yet, or null when it can. */
function doubt(look: Pick<GreenLook, 'holdEndsAt'>, e: Evidence): string | null {
  if (e.settledUntil < look.holdEndsAt.getTime())
    return `the metrics are settled only until ${new Date(e.settledUntil).toISOString()}, not to the hold's end`;
  if (e.worstCase.fails)
    return `${e.unattributed} load-balancer 5xx no target group accounts for: counted as green's, green fails`;
  if (e.judgement.requests.seen === 0)
    return `no request counted for green since the shift, while blue had ${e.baselineRequests} before the shift (a window the metrics have not filled?)`;
  return leaning(e.judgement);
}

/**
 * A look's outcome from what it found (pure: the handlers and the bench decide alike): fail at once on a sure
 * regression or an alarm; before the hold's end undecided; after it a pass only on settled metrics, with enough
 * requests and no doubt from unattributed load-balancer errors; else undecided until the extension ends, then
 * inconclusive.
 */
export function decide(
  look: Pick<GreenLook, 'step' | 'holdEndsAt'>,
  settings: Pick<Analysis, 'extendInconclusiveSeconds'>,
  e: Evidence,
): LookResult {
  const { now, judgement, alarmsFiring, totals } = e;
  const numbers = judgement.explanation;
  if (alarmsFiring.length)
    return decided(
      entryOf(
        look,
        now,
        'fail',
        `in ALARM: ${alarmsFiring.join(', ')}; ${numbers}`,
        judgement,
        alarmsFiring,
        totals,
      ),
    );
  if (judgement.fails) {
    const which = judgement.errors.fails ? 'has more errors than blue' : 'is slower than blue';
    return decided(entryOf(look, now, 'fail', `green surely ${which}: ${numbers}`, judgement, [], totals));
  }
  if (now < look.holdEndsAt) return { state: 'undecided', note: numbers };
  if (e.settledUntil >= look.holdEndsAt.getTime() && (e.idle || silentGreen(e)))
    // Nobody reached either fleet, before the shift or since: nothing to judge, and a rollback would protect
    // no one. (Blue busy before the shift and green silent since is doubt, not idleness: CloudWatch may lag.)
    return decided({
      ...entryOf(look, now, 'pass', `not judged: no request reached green after the shift`, null, [], totals),
    });
  const reason = doubt(look, e);
  if (reason === null)
    return decided(
      entryOf(look, now, 'pass', `no regression worth a rollback: ${numbers}`, judgement, [], totals),
    );
  const extendedUntil = look.holdEndsAt.getTime() + settings.extendInconclusiveSeconds * 1000;
  if (now.getTime() < extendedUntil)
    return { state: 'undecided', note: `hold extended: ${reason}; ${numbers}` };
  return decided(
    entryOf(look, now, 'inconclusive', `inconclusive: ${reason}; ${numbers}`, judgement, [], totals),
  );
}

/**
 * Keeps a verdict in the deployment's record and, when it judged something, announces it with its numbers
 * (events, Slack; a failing notifier never fails the step). A failed verdict then fails the step, and so does
 * an inconclusive one: under `onInconclusive: rollback` compensation follows; under `approval` the ASL asks the
 * approvers with this verdict as evidence (ADR 50). Never a pass on doubt. A step retried after it kept its
 * verdict (ADR 31) keeps and announces it once: the record already has this step's verdict with the same outcome.
 */
export async function keepVerdict(
  deps: { store: ReleaseStore; notifier: Notifier; log: Log },
  plan: Plan,
  entry: AnalysisEntry,
): Promise<void> {
  const kept = (await deps.store.getDeployment(plan.deploymentId))?.analysis?.some(
    (a) => a.step === entry.step && a.passed === entry.passed,
  );
  if (!kept) await keepAndAnnounce(deps, plan, entry);
  if (entry.outcome === 'inconclusive') {
    const Doubt =
      plan.settings.analysis?.onInconclusive === 'approval' ? AnalysisInDoubt : AnalysisInconclusive;
    throw new Doubt(`${entry.step}: ${entry.reason}`);
  }
  if (!entry.passed) throw new AnalysisFailed(`${entry.step}: ${entry.reason}`);
}

async function keepAndAnnounce(
  deps: { store: ReleaseStore; notifier: Notifier; log: Log },
  plan: Plan,
  entry: AnalysisEntry,
): Promise<void> {
  await deps.store.updateDeployment(plan.deploymentId, { addAnalysis: [entry] });
  const outcome = entry.outcome ?? (entry.passed ? 'pass' : 'fail');
  const word = { pass: 'passed', fail: 'failed', inconclusive: 'was inconclusive' }[outcome];
  if (entry.judged)
    await notifyQuietly(
      deps.notifier,
      {
        kind: 'analysis_verdict',
        ...deploymentRef(plan),
        at: entry.at,
        detail: `${entry.step} ${word}: ${entry.reason}`,
      },
      deps.log,
    );
}
