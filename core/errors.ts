/**
 * Named errors that the state machine catches by name. On AWS, Lambda reports a thrown error's `name` as its
 * errorType and Step Functions matches Retry/Catch on it; the local engine does the same. Every class sets
 * `this.name` explicitly so minification cannot rename it.
 */
export class BakeshiftError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

const named = (name: string) =>
  class extends BakeshiftError {
    /** The name the state machine matches in Retry and Catch. */
    static readonly errorName = name;
    constructor(message: string, options?: { cause?: unknown }) {
      super(name, message, options);
    }
  };

/** Input, configuration or manifest that cannot be used: retrying cannot help. */
export class InvalidInput extends named('InvalidInput') {}
export class ConfigInvalid extends named('ConfigInvalid') {}
/** A dependency was briefly unavailable (throttling, a dropped connection): the ASL retries these. */
export class TransientFailure extends named('TransientFailure') {}
/** Another deployment holds the service+environment lock: Prepare is retried with backoff. */
export class LockHeld extends named('LockHeld') {}
export class LockTimeout extends named('LockTimeout') {}
/** A newer request for the same service+environment arrived while this one waited: latest wins. */
export class Superseded extends named('Superseded') {}
/** This deployment id has already run: a repeated start must change nothing. */
export class DeploymentAlreadyExists extends named('DeploymentAlreadyExists') {}
export class BakeFailed extends named('BakeFailed') {}
export class LaunchFailed extends named('LaunchFailed') {}
/** Green is not healthy yet and its deadline has not passed: the ASL polls by retrying this. */
export class HealthPending extends named('HealthPending') {}
export class HealthCheckFailed extends named('HealthCheckFailed') {}
/** Green answers surely worse than blue (core/analysis/sequential-verdict.ts), or an alarm fired. */
export class AnalysisFailed extends named('AnalysisFailed') {}
/** The hold and its extension ended without enough evidence either way: never a pass (ADR 40). */
export class AnalysisInconclusive extends named('AnalysisInconclusive') {}
/**
 * Inconclusive under `onInconclusive: approval` (ADR 50): the ASL catches it and asks the approvers, with the
 * verdict the record keeps as evidence. A signal, as StillJudging is, so a deployment without doubt pays nothing.
 */
export class AnalysisInDoubt extends named('AnalysisInDoubt') {}
/** A weighted step's hold is still being judged: the ASL looks again by retrying this. */
export class StillJudging extends named('StillJudging') {}
/** A pre-traffic test of green's preview failed (its name and output are in the message). */
export class PreTrafficTestFailed extends named('PreTrafficTestFailed') {}
/** Blue is still being kept warm: the ASL watches green by retrying this until the window ends. */
export class StillWarm extends named('StillWarm') {}
export class ApprovalRejected extends named('ApprovalRejected') {}
export class ApprovalTimedOut extends named('ApprovalTimedOut') {}
export class TrafficShiftFailed extends named('TrafficShiftFailed') {}
/** Someone asked to roll back while blue was still warm: traffic goes back to blue, green is removed. */
export class RollbackRequested extends named('RollbackRequested') {}
/** A freeze covers the deployment's service+environment and no approver overrode it: nothing was built. */
export class Frozen extends named('Frozen') {}
/** Outside the environment's deployment windows, refused at once (or no window opens soon enough): nothing built. */
export class OutsideWindow extends named('OutsideWindow') {}
/**
 * A deployment that had begun waiting (for its window or the lock), and so has a record, was then refused (a
 * freeze set meanwhile, its window turned to `refuse`): it ends failed through compensation, not silently.
 */
export class RefusedAfterWaiting extends named('RefusedAfterWaiting') {}
/** A deployment waited for its window longer than the environment's maxWaitHours: it ends, refused. */
export class WindowWaitExceeded extends named('WindowWaitExceeded') {}
/** A promotion or rollback that cannot be done, with the reason. */
export class Refused extends named('Refused') {}
/** An operator asked about something that does not exist (a deployment, an approval request). */
export class NotFound extends named('NotFound') {}
/** An operator may not do this (not one of the environment's approvers). */
export class NotAllowed extends named('NotAllowed') {}

/** Errors the state machine retries as a bounded poll: expected while waiting, not failures. */
export const POLLING_SIGNALS: ReadonlySet<string> = new Set([
  HealthPending.errorName,
  StillWarm.errorName,
  StillJudging.errorName,
  LockHeld.errorName,
]);
