import type { DeploymentRecord } from '../deployment/deployment-record.js';

/**
 * DORA's four key metrics for one service+environment over a period (ADR 44 cites the definitions), from the
 * release store's records alone:
 * - deployment frequency: changes that went live (artifact, promote and manual deployments that succeeded), per day;
 * - lead time for changes: from the artifact's upload (the first environment's request, which a promotion carries
 *   as `changeRequestedAt`) to live in this environment (its commit), median;
 * - change failure rate: changes that failed, over changes that ended (succeeded or failed); a change fails when it
 *   rolled back, or went live and an operator's rollback later replaced its version: the change that brought in the
 *   version live when the rollback began (its previousRelease), not whatever record came next, and never the
 *   rollback itself. A deployment that never began (refused or timed out in PrepareDeployment) is not a change;
 * - time to restore: from the failure reaching users to their being served the previous release again, median: an
 *   automatic rollback from its first traffic shift to its end, an operator's from the change going live to the
 *   rollback's end. A change that failed before any traffic reached it had nothing to restore.
 * Rollbacks and congruence runs are not changes; a deployment refused or superseded never ended as one.
 */
export interface DeliveryFigures {
  service: string;
  environment: string;
  since: string;
  until: string;
  deployments: number;
  deploymentsPerDay: number;
  /** Median seconds; null when no change went live. */
  leadTimeSeconds: number | null;
  failedChanges: number;
  /** 0 to 1; null when no change ended. */
  changeFailureRate: number | null;
  /** Median seconds; null when no failure reached users. */
  timeToRestoreSeconds: number | null;
}

const CHANGES = new Set(['artifact', 'promote', 'manual']);
const isChange = (r: DeploymentRecord) => CHANGES.has(r.trigger);
const at = (text: string | undefined) => (text ? Date.parse(text) : Number.NaN);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** When a change went live: its commit phase, else its end. */
const liveAt = (r: DeploymentRecord) => at(r.phases.commit ?? r.finishedAt);

/** How long users had a failed change, or undefined when it never reached them or is not over. */
function restoreSeconds(change: DeploymentRecord, next: DeploymentRecord | undefined): number | undefined {
  if (change.status === 'rolled_back' && change.phases.shift && change.finishedAt)
    return (at(change.finishedAt) - at(change.phases.shift)) / 1000;
  if (change.status === 'succeeded' && next?.status === 'succeeded' && next.finishedAt)
    return (at(next.finishedAt) - liveAt(change)) / 1000;
  return undefined;
}

/** When a change entered the pipeline: its artifact's upload, carried along promotions. */
const changeRequestedAt = (r: DeploymentRecord) => at(r.changeRequestedAt ?? r.requestedAt);

/** A change that ended: it went live or rolled back, after it began (past PrepareDeployment). */
const endedChange = (r: DeploymentRecord) =>
  isChange(r) &&
  (r.status === 'succeeded' || (r.status === 'rolled_back' && r.failure?.step !== 'PrepareDeployment'));

/**
 * The operator's rollback that replaced each change that went live, by the change's deployment id: the rollback
 * names what was live when it began (previousRelease; else the last deployment that went live before it), and the
 * latest change that brought that version in is the one that failed. `ordered` is by request time.
 */
function rollbacksOf(ordered: readonly DeploymentRecord[]): Map<string, DeploymentRecord> {
  const blamed = new Map<string, DeploymentRecord>();
  ordered.forEach((rollback, i) => {
    if (rollback.trigger !== 'rollback' || rollback.status === 'superseded') return;
    const before = ordered.slice(0, i).filter((r) => r.status === 'succeeded');
    const replaced = rollback.previousRelease?.version ?? before.at(-1)?.version;
    const change = before.findLast((r) => isChange(r) && r.version === replaced);
    // The first rollback that succeeded restored it; a failed attempt before it left the change live.
    if (change && blamed.get(change.deploymentId)?.status !== 'succeeded')
      blamed.set(change.deploymentId, rollback);
  });
  return blamed;
}

/** The figures of one service+environment's records (any order) for changes requested in [since, until). */
export function deliveryFigures(
  records: readonly DeploymentRecord[],
  target: { service: string; environment: string },
  period: { since: Date; until: Date },
): DeliveryFigures {
  const ordered = records
    .filter((r) => r.service === target.service && r.environment === target.environment)
    .sort((a, b) => at(a.requestedAt) - at(b.requestedAt) || a.deploymentId.localeCompare(b.deploymentId));
  const inPeriod = (r: DeploymentRecord) =>
    at(r.requestedAt) >= period.since.getTime() && at(r.requestedAt) < period.until.getTime();
  const rollbacks = rollbacksOf(ordered);
  const ended = ordered
    .filter((r) => endedChange(r) && inPeriod(r))
    .map((change) => {
      const rolledBackLater = change.status === 'succeeded' ? rollbacks.get(change.deploymentId) : undefined;
      const failed = change.status === 'rolled_back' || rolledBackLater !== undefined;
      const restore = failed ? restoreSeconds(change, rolledBackLater) : undefined;
      return { change, failed, ...(restore !== undefined ? { restore } : {}) };
    });
  const live = ended.filter((e) => e.change.status === 'succeeded').map((e) => e.change);
  const days = Math.max((period.until.getTime() - period.since.getTime()) / 86_400_000, 1 / 24);
  const failures = ended.filter((e) => e.failed);
  return {
    ...target,
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    deployments: live.length,
    deploymentsPerDay: live.length / days,
    leadTimeSeconds: median(live.map((r) => (liveAt(r) - changeRequestedAt(r)) / 1000)),
    failedChanges: failures.length,
    changeFailureRate: ended.length ? failures.length / ended.length : null,
    timeToRestoreSeconds: median(failures.flatMap((e) => (e.restore === undefined ? [] : [e.restore]))),
  };
}
