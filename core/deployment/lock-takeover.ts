import type { ExecutionState } from '../ports/deployment-executions.js';
import type { DeploymentRecord } from './deployment-record.js';

/**
 * How long, at the most, a deployment can still act under its lock from each point its record marks. Derived
 * from the state machine's own TimeoutSeconds and Retry (statemachines/holder-bounds.ts): every attempt timing
 * out and every retry waiting its longest, so no execution can still be in those steps afterwards.
 */
export interface HolderBounds {
  /** From CommitRelease's first attempt to the end of PruneImages: drain (its longest wait), reap, prune. */
  afterCommitSeconds: number;
  /** From PruneImages' first attempt to the end of its last one. */
  pruneSeconds: number;
  /** From RecordFailure's first attempt to the end of ReleaseLockAfterRollback. */
  compensationSeconds: number;
  /** The execution's own TimeoutSeconds: no execution of the state machine runs longer. */
  executionSeconds: number;
  /**
   * The longest TimeoutSeconds of a Task: a stopped execution does not stop the Lambda of the step it was in,
   * which runs at most this long (a Lambda's own timeout is below its state's).
   */
  taskSeconds: number;
}

export type HolderVerdict =
  | { done: true; reason: string }
  /** Still possibly at work under the lock: waited for. */
  | { done: false };

/** The instant `seconds` after an ISO time, or undefined if the record never marked it. */
const after = (at: string | undefined, seconds: number) =>
  at === undefined ? undefined : Date.parse(at) + seconds * 1000;

/** Until when the holder may still act under its lock, by what its record says of it, and why. */
function stageBound(holder: DeploymentRecord, bounds: HolderBounds): { by: number | undefined; why: string } {
  const { phases } = holder;
  switch (holder.status) {
    case 'rolled_back':
    case 'superseded':
      return { by: Number.NEGATIVE_INFINITY, why: `it ended ${holder.status}: its compensation is over` };
    case 'succeeded':
      // The record says succeeded from CommitRelease on, while drain, reap and prune still run under the lock.
      return phases.prune
        ? {
            by: after(phases.prune, bounds.pruneSeconds),
            why: `it succeeded and PruneImages, its last step under the lock, started at ${phases.prune} (at most ${bounds.pruneSeconds}s)`,
          }
        : {
            by: after(phases.commit ?? holder.finishedAt, bounds.afterCommitSeconds),
            why: `it succeeded at ${phases.commit ?? holder.finishedAt}; drain, reap and prune take at most ${bounds.afterCommitSeconds}s`,
          };
    case 'compensating':
      return {
        by: after(phases.compensate, bounds.compensationSeconds),
        why: `it began compensating at ${phases.compensate}; compensation takes at most ${bounds.compensationSeconds}s`,
      };
    case 'in_progress':
      return { by: undefined, why: 'it is in progress' };
  }
}

/**
 * Whether the deployment holding a lock can no longer act under it, so the next deployment may take the lock
 * over: its compensation is over, or the steps it may still be in cannot be running any more (each bounded by
 * the state machine), or its execution cannot be running any more (the state machine's TimeoutSeconds).
 */
export function holderIsDone(holder: DeploymentRecord, bounds: HolderBounds, now: Date): HolderVerdict {
  const stage = stageBound(holder, bounds);
  if (stage.by !== undefined && now.getTime() > stage.by) return { done: true, reason: stage.why };
  // The execution started before its first PrepareDeployment attempt recorded the prepare phase.
  const executionEnd = after(holder.phases.prepare, bounds.executionSeconds);
  if (executionEnd !== undefined && now.getTime() > executionEnd)
    return {
      done: true,
      reason: `its execution started before ${holder.phases.prepare} and cannot run longer than ${bounds.executionSeconds}s`,
    };
  return { done: false };
}

/**
 * What a holder whose execution ended left behind, by its record: said in the takeover, never acted on here
 * (PrepareDeployment shifts nothing; the next deployment and the janitor settle it).
 */
function leftBehind(holder: DeploymentRecord): string {
  const { phases } = holder;
  if (holder.status === 'compensating')
    return 'its compensation did not finish: traffic may be split between its green and blue, and the record says compensating';
  if (holder.status === 'succeeded')
    return 'blue may not be drained or reaped: the janitor removes what is left';
  if (phases.shift && !phases.commit)
    return `it was shifting traffic: the listener may be split between blue (${holder.blue?.fleetId ?? 'none'}) and green (${holder.greenFleetId})`;
  return `its green fleet (${holder.greenFleetId}) and image may be left for the janitor; traffic was not shifted`;
}

/**
 * Whether a holder is over by its execution: one that ended (any status) while its record says otherwise can
 * no longer act under its lock, however far the bounds are. A running execution is waited for.
 */
export function verdictByExecution(
  holder: DeploymentRecord,
  execution: ExecutionState,
  bounds: Pick<HolderBounds, 'taskSeconds'>,
  now: Date,
): HolderVerdict {
  if (execution.running) return { done: false };
  // Stopped mid-step, its Lambda may still shift or commit: wait until that step's timeout has passed.
  const ended = execution.endedAt ? Date.parse(execution.endedAt) : Number.NaN;
  if (!Number.isNaN(ended) && now.getTime() < ended + bounds.taskSeconds * 1000) return { done: false };
  return {
    done: true,
    reason: `its execution ended ${execution.status} while its record says ${holder.status}; ${leftBehind(holder)}`,
  };
}
