import type { AnalysisEntry, DeploymentRecord, Release } from '../deployment/deployment-record.js';
import type { Freeze, FreezeOverride } from '../freezes/freeze.js';

export type LockAttempt =
  | { outcome: 'acquired' }
  | { outcome: 'held'; holder: string }
  | { outcome: 'superseded'; by: string };

export interface LockRequest {
  service: string;
  environment: string;
  deploymentId: string;
  requestedAt: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** The verdict a doubt's approver weighs: where it was made, its one-line reason and its numbers (ADR 50). */
export type ApprovalEvidence = Pick<AnalysisEntry, 'step' | 'reason' | 'statistics'>;

/**
 * One human decision a deployment waits for. The task token never leaves the store. A deployment has at most
 * one ticket per gate: before traffic (no `gate`), and one per step whose verdict was inconclusive.
 */
export interface ApprovalTicket {
  /** Opaque and random: the only thing a button or command carries. */
  approvalId: string;
  deploymentId: string;
  service: string;
  environment: string;
  version: string;
  approvers: string[];
  /** What people need to decide: shown in the request message, never including the token. */
  context: {
    imageId: string;
    trigger: string;
    requestedBy: string;
    desiredCapacity: number;
    liveVersion?: string;
    previewUrl?: string;
    /** The environment's Slack channel, when it has one. */
    channel?: string;
  };
  /** Absent for the approval before traffic; `inconclusive` for a verdict in doubt (ADR 50), with its evidence. */
  gate?: 'inconclusive';
  evidence?: ApprovalEvidence;
  /** The message that asked for the decision, so its outcome can be shown in place. */
  message?: { channel: string; ts: string };
  requestedAt: string;
  expiresAt: string;
  taskToken: string;
  status: ApprovalStatus;
  decidedBy?: string;
  decidedAt?: string;
}

/** Which of its deployment's gates a ticket is for: empty before traffic, else the gate and the step in doubt. */
export const approvalSlotOf = (ticket: Pick<ApprovalTicket, 'gate' | 'evidence'>): string =>
  ticket.gate ? `${ticket.gate}#${ticket.evidence?.step ?? ''}` : '';

export type DeploymentUpdate = Partial<
  Omit<DeploymentRecord, 'deploymentId' | 'phases' | 'warnings' | 'analysis' | 'announced'>
> & {
  /** Merged into the record's phases (phase name → start time). */
  phases?: DeploymentRecord['phases'];
  /** Appended to the record's warnings. */
  addWarnings?: string[];
  /** Appended to the record's analysis verdicts. */
  addAnalysis?: AnalysisEntry[];
  /** Appended to the record's announcements sent. */
  addAnnounced?: string[];
};

/**
 * Deployment records, history, the live release per service+environment, the per-service+environment lock
 * approval tickets and change freezes. Every guard is a conditional write, never a read-then-write.
 */
export interface ReleaseStore {
  /** Creates the record if no record has this id; returns the stored record either way. */
  createDeployment(record: DeploymentRecord): Promise<{ created: boolean; record: DeploymentRecord }>;
  getDeployment(deploymentId: string): Promise<DeploymentRecord | undefined>;
  /** Fails if the record does not exist. */
  updateDeployment(deploymentId: string, update: DeploymentUpdate): Promise<DeploymentRecord>;
  /** Newest first. */
  listDeployments(service: string, environment: string, limit: number): Promise<DeploymentRecord[]>;

  getLiveRelease(service: string, environment: string): Promise<Release | undefined>;
  /** Every environment's live release of a service, e.g. to protect their images from pruning. */
  listLiveReleases(service: string): Promise<Release[]>;
  /**
   * Makes `release` live (the commit point), then marks its deployment succeeded. Idempotent: if interrupted,
   * the retried step completes it, and compensation's revertRelease undoes the live pointer.
   */
  commitRelease(release: Release, at: string): Promise<void>;
  /** If `deploymentId` is live, puts `previous` back (or no release at all). Idempotent. */
  revertRelease(
    service: string,
    environment: string,
    deploymentId: string,
    previous?: Release,
  ): Promise<void>;

  /** Re-entrant for the holder; a request older than the newest one registered is superseded. */
  acquireLock(request: LockRequest): Promise<LockAttempt>;
  /** Releases only if `deploymentId` holds the lock; idempotent. */
  releaseLock(service: string, environment: string, deploymentId: string): Promise<void>;
  lockHolder(service: string, environment: string): Promise<string | undefined>;
  /**
   * Remembers a request by its id until `expiresAt` (a conditional write): true the first time, false while it
   * is remembered (at `now`, by the caller's clock), so a replayed request is refused.
   */
  rememberRequest(requestId: string, expiresAt: Date, now: Date): Promise<boolean>;

  /** Creates the deployment's ticket for its gate (approvalSlotOf), or returns the one that gate already has. */
  openApproval(ticket: ApprovalTicket): Promise<ApprovalTicket>;
  getApproval(approvalId: string): Promise<ApprovalTicket | undefined>;
  /** The deployment's newest ticket (gates come one after another): the one a decision by deployment applies to. */
  approvalOf(deploymentId: string): Promise<ApprovalTicket | undefined>;
  /** Remembers the message that asked for the decision. */
  attachApprovalMessage(approvalId: string, message: { channel: string; ts: string }): Promise<void>;
  /** Points a pending ticket at a new task token (the wait is re-armed); no effect once decided. */
  rearmApproval(approvalId: string, taskToken: string): Promise<ApprovalTicket>;
  /**
   * Moves a pending ticket to a decision and returns it as decided, with the task token current at that
   * moment; returns undefined if it was no longer pending. This is what makes a decision apply exactly once.
   */
  decideApproval(
    approvalId: string,
    decision: { status: Exclude<ApprovalStatus, 'pending'>; by: string; at: string },
  ): Promise<ApprovalTicket | undefined>;

  /** Sets the freeze of its scope (service+environment, either may be `*`), replacing one already set there. */
  putFreeze(freeze: Freeze): Promise<void>;
  /** Lifts the freeze of exactly this scope; returns it, or undefined when there was none. */
  removeFreeze(service: string, environment: string): Promise<Freeze | undefined>;
  /** Every freeze set, ended ones included until lifted (core/freezes/freeze.ts says which are in force). */
  listFreezes(): Promise<Freeze[]>;
  /** Keeps an approver's override for one version of a service+environment (a later one replaces it). */
  putFreezeOverride(override: FreezeOverride): Promise<void>;
  freezeOverrideOf(
    service: string,
    environment: string,
    version: string,
  ): Promise<FreezeOverride | undefined>;
}
