import { MAX_DRAIN_SECONDS } from '../core/config/service-config.js';
import type { HolderBounds } from '../core/deployment/lock-takeover.js';
import deployDefinition from './deploy.asl.json' with { type: 'json' };
import type { AslDefinition, AslState } from './deploy-definition.js';
import { type Retrier, waitBeforeRetry } from './retry-schedule.js';

/**
 * The longest a Task state can take, as Step Functions runs it: every attempt (the first and each retry any of
 * its retriers allows) lasting its TimeoutSeconds, and every retry waiting its longest (jitter only shortens it).
 */
export function worstCaseTaskSeconds(stateName: string, state: AslState): number {
  if (state.TimeoutSeconds === undefined)
    throw new Error(`state ${stateName}: a bounded step needs TimeoutSeconds (not a path)`);
  let attempts = 1;
  let waits = 0;
  for (const retrier of (state.Retry ?? []) as Retrier[]) {
    const maxAttempts = retrier.MaxAttempts ?? 3;
    attempts += maxAttempts;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) waits += waitBeforeRetry(retrier, attempt);
  }
  return attempts * state.TimeoutSeconds + waits;
}

/** How long one state can take; a Wait read from the input is bounded by `longestWaitSeconds`. */
function worstCaseSeconds(stateName: string, state: AslState, longestWaitSeconds: number): number {
  if (state.Type === 'Task') return worstCaseTaskSeconds(stateName, state);
  if (state.Type === 'Wait') return typeof state.Seconds === 'number' ? state.Seconds : longestWaitSeconds;
  if (['Choice', 'Pass', 'Succeed', 'Fail'].includes(state.Type)) return 0;
  throw new Error(`state ${stateName}: no bound for a ${state.Type} state`);
}

/** The states a state goes on to without an error: Next, a Choice's branches and its Default. */
const successorsOf = (state: AslState) => [
  ...(state.Next ? [state.Next] : []),
  ...(state.Choices ?? []).map((c) => c.Next),
  ...(state.Default ? [state.Default] : []),
];

/**
 * The longest time from entering `from` to leaving `to`, over every path between them without errors (a Catch
 * only skips steps). Throws if `to` cannot be reached or the path loops: a bound must be finite.
 */
export function longestPathSeconds(
  definition: AslDefinition,
  from: string,
  to: string,
  longestWaitSeconds: number,
): number {
  const longest = (name: string, path: string[]): number | undefined => {
    if (path.includes(name)) throw new Error(`states ${from} to ${to} loop through ${name}: no bound`);
    const state = definition.States[name];
    if (!state) throw new Error(`no state ${name}`);
    const own = worstCaseSeconds(name, state, longestWaitSeconds);
    if (name === to) return own;
    const onward = successorsOf(state)
      .map((next) => longest(next, [...path, name]))
      .filter((seconds) => seconds !== undefined);
    return onward.length > 0 ? own + Math.max(...onward) : undefined;
  };
  const seconds = longest(from, []);
  if (seconds === undefined) throw new Error(`state ${to} cannot be reached from ${from}`);
  return seconds;
}

/**
 * The holder bounds of a deployment state machine. `longestWaitSeconds` bounds the one Wait read from the
 * input, WaitForBlueDrain: the deregistration delay, which the service configuration limits.
 */
export function holderBoundsOf(definition: AslDefinition, longestWaitSeconds: number): HolderBounds {
  const timeout = definition.TimeoutSeconds;
  if (typeof timeout !== 'number') throw new Error('the state machine needs a TimeoutSeconds of its own');
  return {
    afterCommitSeconds: longestPathSeconds(definition, 'CommitRelease', 'PruneImages', longestWaitSeconds),
    pruneSeconds: longestPathSeconds(definition, 'PruneImages', 'PruneImages', longestWaitSeconds),
    compensationSeconds: longestPathSeconds(
      definition,
      'RecordFailure',
      'ReleaseLockAfterRollback',
      longestWaitSeconds,
    ),
    executionSeconds: timeout,
    taskSeconds: Math.max(
      ...Object.values(definition.States).map((s) =>
        s.Type === 'Task' && typeof s.TimeoutSeconds === 'number' ? s.TimeoutSeconds : 0,
      ),
    ),
  };
}

/**
 * The bounds of statemachines/deploy.asl.json, read when the module loads (imported, so that a bundled
 * PrepareDeployment carries the definition it runs in). The drain waits at most the longest drainSeconds a
 * service configuration accepts, which is also the load balancer's deregistration delay (the CDK app sets it).
 */
export const DEPLOY_HOLDER_BOUNDS: HolderBounds = holderBoundsOf(
  deployDefinition as unknown as AslDefinition,
  MAX_DRAIN_SECONDS,
);
