import { type EnvironmentConfig, environmentOf, type ServiceConfig } from '../config/service-config.js';
import {
  ConfigInvalid,
  DeploymentAlreadyExists,
  LockHeld,
  LockTimeout,
  RefusedAfterWaiting,
  Superseded,
} from '../errors.js';
import { describeFreeze, type FreezeOverride } from '../freezes/freeze.js';
import { checkFreezes } from '../freezes/freeze-operations.js';
import type { Clock } from '../ports/clock.js';
import type { DeploymentExecutions } from '../ports/deployment-executions.js';
import type { Log } from '../ports/log.js';
import type { Notifier } from '../ports/notifier.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';
import { checkRollbackTarget } from '../releases/live-before.js';
import { type WindowWait, windowVerdict } from '../windows/window-verdict.js';
import type { Plan } from './deployment-plan.js';
import type { DeploymentRecord, Release } from './deployment-record.js';
import { TERMINAL_STATUSES } from './deployment-record.js';
import type { DeploymentRequest } from './deployment-request.js';
import { type HolderBounds, type HolderVerdict, holderIsDone, verdictByExecution } from './lock-takeover.js';
import { deploymentRef, notifyQuietly } from './notify-quietly.js';
import { greenFleetIdOf } from './resource-names.js';
import { trafficSteps } from './traffic-plan.js';

export interface PrepareDeps {
  configs: ServiceConfigs;
  store: ReleaseStore;
  notifier: Notifier;
  clock: Clock;
  /** Whether a lock holder's execution still runs (lock-takeover.ts). */
  executions: DeploymentExecutions;
  /** How long a lock's holder can still act under it (statemachines/holder-bounds.ts). */
  holderBounds: HolderBounds;
}

/** Records the deployment (once: a repeated start of an ended one is refused) and announces a new one. */
async function recordDeployment(deps: PrepareDeps, request: DeploymentRequest, now: Date, log: Log) {
  const { created, record } = await deps.store.createDeployment({
    ...request,
    status: 'in_progress',
    greenFleetId: greenFleetIdOf(request.deploymentId),
    phases: { prepare: now.toISOString() },
    warnings: [],
  });
  if (!created && TERMINAL_STATUSES.includes(record.status))
    throw new DeploymentAlreadyExists(`deployment ${request.deploymentId} already ended ${record.status}`);
  if (created)
    await notifyQuietly(
      deps.notifier,
      {
        kind: 'started',
        ...deploymentRef(request),
        at: now.toISOString(),
        detail: `${request.trigger} by ${request.requestedBy}`,
      },
      log,
    );
}

/**
 * Takes the service+environment lock, latest request wins: a newer waiting request supersedes this one; while
 * another deployment holds it, this one waits (LockHeld, retried by the ASL) until `lockWaitSeconds` have passed
 * `since` it could first take it: its request, or the opening of the window it waited for (the window's wait has
 * its own budget, maxWaitHours).
 */
async function takeLock(
  deps: PrepareDeps,
  request: DeploymentRequest,
  budget: { lockWaitSeconds: number; since: Date },
  now: Date,
  log: Log,
) {
  const { lockWaitSeconds, since } = budget;
  const lock = await acquireOrTakeOver(deps, request, now, log);
  const target = `${request.service}/${request.environment}`;
  if (lock.outcome === 'superseded')
    throw new Superseded(`a newer request (${lock.by}) for ${target} replaced this one`);
  if (lock.outcome !== 'held') return;
  const waitedSeconds = (now.getTime() - since.getTime()) / 1000;
  if (waitedSeconds >= lockWaitSeconds)
    throw new LockTimeout(`${lock.holder} still holds ${target} after ${lockWaitSeconds}s`);
  log.info('waiting for the lock', { holder: lock.holder });
  throw new LockHeld(`${lock.holder} is deploying ${target}`);
}

/**
 * Acquires the lock; if the deployment holding it can no longer act under it (it ended without releasing it,
 * or the steps it may still be in cannot be running any more: lock-takeover.ts), releases it on that
 * deployment's behalf and tries once more, so a lock whose release failed never blocks the environment until
 * someone intervenes. A takeover is written into both records, logged and announced.
 */
async function acquireOrTakeOver(deps: PrepareDeps, request: DeploymentRequest, now: Date, log: Log) {
  const lock = await deps.store.acquireLock(request);
  if (lock.outcome !== 'held') return lock;
  const holder = await deps.store.getDeployment(lock.holder);
  if (!holder) return lock;
  const verdict = await holderVerdict(deps, holder, now, log);
  if (!verdict.done) return lock;
  await deps.store.releaseLock(request.service, request.environment, lock.holder);
  const again = await deps.store.acquireLock(request);
  await recordTakeOver(
    deps,
    { request, holder, reason: verdict.reason, acquired: again.outcome === 'acquired' },
    now,
    log,
  );
  return again;
}

/**
 * Whether the holder can no longer act under its lock: by the state machine's bounds, else by its execution
 * having ended. When the execution cannot be asked about (throttled, denied), the bounds alone decide.
 */
async function holderVerdict(
  deps: PrepareDeps,
  holder: DeploymentRecord,
  now: Date,
  log: Log,
): Promise<HolderVerdict> {
  const byBounds = holderIsDone(holder, deps.holderBounds, now);
  if (byBounds.done) return byBounds;
  try {
    return verdictByExecution(
      holder,
      await deps.executions.stateOf(holder.deploymentId),
      deps.holderBounds,
      now,
    );
  } catch (error) {
    log.warn("could not tell whether the lock holder's execution runs: waiting within its bounds", {
      holder: holder.deploymentId,
      error: (error as Error).message,
    });
    return byBounds;
  }
}

/** Says that a lock was taken over: in the holder's record, in the new one (once it holds the lock), out loud. */
async function recordTakeOver(
  deps: PrepareDeps,
  takeOver: { request: DeploymentRequest; holder: DeploymentRecord; reason: string; acquired: boolean },
  now: Date,
  log: Log,
) {
  const { request, holder, reason, acquired } = takeOver;
  log.warn('took over the lock of a deployment that can no longer act under it', {
    holder: holder.deploymentId,
    status: holder.status,
    reason,
    acquired,
  });
  await deps.store.updateDeployment(holder.deploymentId, {
    addWarnings: [`lock: released at ${now.toISOString()} for ${request.deploymentId}, as ${reason}`],
  });
  if (!acquired) return;
  const detail = `took over the lock of ${holder.deploymentId} (${holder.status}), as ${reason}`;
  await deps.store.updateDeployment(request.deploymentId, { addWarnings: [`lock: ${detail}`] });
  await notifyQuietly(
    deps.notifier,
    { kind: 'lock_taken_over', ...deploymentRef(request), at: now.toISOString(), detail },
    log,
  );
}

/** Writes the override a deployment went ahead under into its record, as a warning too, and announces it. */
async function recordOverride(
  deps: PrepareDeps,
  request: DeploymentRequest,
  overridden: { freeze: Parameters<typeof describeFreeze>[0]; override: FreezeOverride },
  log: Log,
) {
  const { freeze, override } = overridden;
  const detail = `${describeFreeze(freeze)}; overridden by ${override.by} (${override.via}): ${override.reason}`;
  await deps.store.updateDeployment(request.deploymentId, {
    freezeOverride: override,
    addWarnings: [detail],
  });
  log.warn('going ahead during a freeze, by an approver’s override', { by: override.by });
  await notifyQuietly(
    deps.notifier,
    { kind: 'freeze_overridden', ...deploymentRef(request), at: override.at, detail },
    log,
  );
}

/** Notes once in the record that the deployment waits for its window; the ASL's WaitForWindow sleeps until it opens. */
async function waitForWindow(
  deps: PrepareDeps,
  request: DeploymentRequest,
  until: Date,
  log: Log,
): Promise<WindowWait> {
  const note = `window: waiting for ${request.service}/${request.environment}'s next deployment window, at ${until.toISOString()}`;
  const record = await deps.store.getDeployment(request.deploymentId);
  if (!record?.warnings.includes(note))
    await deps.store.updateDeployment(request.deploymentId, { addWarnings: [note] });
  log.info('waiting for the deployment window', { opensAt: until.toISOString() });
  return { waitForWindow: { until: until.toISOString() } };
}

/** The environment's approval policy for this request: none when not required or the trigger is exempt. */
function approvalOf(env: EnvironmentConfig, request: DeploymentRequest) {
  const { approval } = env;
  return approval.required && !approval.exemptTriggers.includes(request.trigger) ? approval : null;
}

/** The analysis settings, with who decides an inconclusive verdict when the environment asks rather than rolls back. */
function analysisOf(env: EnvironmentConfig): Plan['settings']['analysis'] {
  const { approvers, timeoutSeconds } = env.approval;
  return env.analysis.onInconclusive === 'approval' && approvers
    ? { ...env.analysis, approval: { approvers, timeoutSeconds } }
    : env.analysis;
}

/** The plan every later step follows: the request, blue, and the settings snapshot (ADR 7). */
function planOf(
  request: DeploymentRequest,
  config: ServiceConfig,
  env: EnvironmentConfig,
  live: Release | undefined,
): Plan {
  const approval = approvalOf(env, request);
  return {
    deploymentId: request.deploymentId,
    service: request.service,
    environment: request.environment,
    version: request.version,
    trigger: request.trigger,
    needsBake: request.imageId === undefined,
    hasBlue: live !== undefined,
    approvalRequired: approval !== null,
    preTrafficTests: env.preTraffic !== undefined,
    ...(request.imageId ? { imageId: request.imageId } : {}),
    greenFleetId: greenFleetIdOf(request.deploymentId),
    blue: live
      ? { fleetId: live.fleetId, imageId: live.imageId, version: live.version, capacity: live.capacity }
      : null,
    settings: {
      capacity: env.capacity,
      variables: env.variables,
      secrets: env.secrets,
      trafficSteps: trafficSteps(env.traffic),
      healthCheck: env.healthCheck,
      keepBlueWarmSeconds: live ? env.keepBlueWarmSeconds : 0,
      drainSeconds: env.drainSeconds,
      approval: approval ? { approvers: approval.approvers, timeoutSeconds: approval.timeoutSeconds } : null,
      ...(env.slack ? { slackChannel: env.slack.channel } : {}),
      bake: config.bake,
      retainImages: config.retention.images,
      serviceEnvironments: Object.keys(config.environments),
      analysis: analysisOf(env),
      ...(env.preTraffic ? { preTraffic: env.preTraffic } : {}),
    },
  };
}

/** Refusals that end a request before anything is recorded (the ASL's RequestRejected). */
const REFUSALS = new Set(['Frozen', 'OutsideWindow']);

/**
 * Whether the deployment may go ahead now: the freezes (an override, if one lets it through) and the windows.
 * A refusal of a deployment that already waits (its record is in progress) ends it as a failure instead, so
 * compensation records the cause, releases the lock and announces it: nothing is left in progress.
 */
async function admission(deps: PrepareDeps, request: DeploymentRequest, env: EnvironmentConfig, now: Date) {
  try {
    const overridden = await checkFreezes(deps.store, request, now);
    // Waiting is having a record (in progress), not the time since the request: a late start never waited.
    const waiting =
      env.windows !== undefined &&
      (await deps.store.getDeployment(request.deploymentId))?.status === 'in_progress';
    return { overridden, window: windowVerdict(env.windows, request, now, waiting) };
  } catch (error) {
    if (!REFUSALS.has((error as Error).name)) throw error;
    const record = await deps.store.getDeployment(request.deploymentId);
    if (record?.status !== 'in_progress') throw error;
    const { name, message } = error as Error;
    throw new RefusedAfterWaiting(`${name}: ${message}`, { cause: error });
  }
}

/**
 * The first step of every deployment: checks the request against its service's configuration, records it,
 * waits for its window (answering when it opens), takes the lock, resolves blue under the lock (what is live
 * cannot change until this deployment ends) and plans. `waited`: the wait for the window it comes back from.
 */
export async function prepareDeployment(
  deps: PrepareDeps,
  request: DeploymentRequest,
  log: Log,
  waited?: WindowWait,
): Promise<Plan | WindowWait> {
  const { config, source } = await deps.configs.load(request.service);
  if (config.service !== request.service)
    throw new ConfigInvalid(`${source}: service: is "${config.service}", expected "${request.service}"`);
  const env = environmentOf(config, request.environment, source);
  const now = deps.clock.now();
  const { overridden, window } = await admission(deps, request, env, now);
  await checkRollbackTarget(deps.store, request);
  await recordDeployment(deps, request, now, log);
  if (overridden && !(await deps.store.getDeployment(request.deploymentId))?.freezeOverride)
    await recordOverride(deps, request, overridden, log);
  if (window.outcome === 'wait') return waitForWindow(deps, request, window.until, log);
  const since = new Date(
    Math.max(Date.parse(request.requestedAt), Date.parse(waited?.waitForWindow.until ?? request.requestedAt)),
  );
  await takeLock(deps, request, { lockWaitSeconds: config.lockWaitSeconds, since }, now, log);
  const live = await deps.store.getLiveRelease(request.service, request.environment);
  if (live) await deps.store.updateDeployment(request.deploymentId, { previousRelease: live, blue: live });
  const plan = planOf(request, config, env, live);
  log.info('planned', { blue: live?.version ?? null, approval: plan.approvalRequired });
  return plan;
}
