import type { Plan } from '../deployment/deployment-plan.js';
import type { AnalysisEntry } from '../deployment/deployment-record.js';
import { deploymentRef, notifyQuietly } from '../deployment/notify-quietly.js';
import { AnalysisFailed } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { Notifier } from '../ports/notifier.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { TrafficMetrics } from '../ports/traffic-metrics.js';
import { judgeWindow } from './judge-window.js';

export interface GreenWindow {
  plan: Plan;
  /** Where the verdict is made, for the record: `CheckGreenAtWeight 10%`, `WatchGreen`. */
  step: string;
  greenFleetId: string;
  /** Blue over the same window, when it takes traffic in it (the baseline). */
  blueFleetId: string | null;
  from: Date;
}

/**
 * Green's verdict over a window, with the numbers: its figures (and blue's) from the load balancer's metrics,
 * judged by the environment's limits (judge-window.ts), and the named alarms. Undefined when the environment
 * turned analysis off (or the plan predates it).
 */
export async function judgeGreen(
  deps: { metrics: TrafficMetrics; clock: Clock },
  window: GreenWindow,
): Promise<AnalysisEntry | undefined> {
  const limits = window.plan.settings.analysis;
  if (!limits?.enabled) return undefined;
  const to = deps.clock.now();
  const fleets = [window.greenFleetId, ...(window.blueFleetId ? [window.blueFleetId] : [])];
  const figures = await deps.metrics.windows(window.plan, fleets, window.from, to);
  const none = { requests: 0, errors: 0, p99Ms: null };
  const blue = window.blueFleetId ? (figures[window.blueFleetId] ?? none) : null;
  const verdict = judgeWindow(figures[window.greenFleetId] ?? none, blue, limits);
  const alarmsFiring = limits.alarms.length ? await deps.metrics.alarmsFiring(limits.alarms) : [];
  return {
    step: window.step,
    at: to.toISOString(),
    passed: verdict.passed && alarmsFiring.length === 0,
    judged: verdict.judged || alarmsFiring.length > 0,
    reason: alarmsFiring.length ? `in ALARM: ${alarmsFiring.join(', ')}; ${verdict.reason}` : verdict.reason,
    green: verdict.green,
    blue: verdict.blue,
    alarmsFiring,
  };
}

/**
 * Keeps a verdict in the deployment's record and, when it judged something, announces it with its numbers
 * (events, Slack; a failing notifier never fails the step); a failed verdict then fails the step, and
 * compensation follows. A step retried after it kept its verdict (ADR 31) keeps and announces it once: the
 * record already has this step's verdict with the same outcome.
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
  if (!entry.passed) throw new AnalysisFailed(`${entry.step}: ${entry.reason}`);
}

async function keepAndAnnounce(
  deps: { store: ReleaseStore; notifier: Notifier; log: Log },
  plan: Plan,
  entry: AnalysisEntry,
): Promise<void> {
  await deps.store.updateDeployment(plan.deploymentId, { addAnalysis: [entry] });
  if (entry.judged)
    await notifyQuietly(
      deps.notifier,
      {
        kind: 'analysis_verdict',
        ...deploymentRef(plan),
        at: entry.at,
        detail: `${entry.step} ${entry.passed ? 'passed' : 'failed'}: ${entry.reason}`,
      },
      deps.log,
    );
}
