import type { DeploymentRecord, Release } from '../../../core/deployment/deployment-record.js';
import type { Freeze, FreezeOverride } from '../../../core/freezes/freeze.js';
import {
  type ApprovalTicket,
  approvalSlotOf,
  type DeploymentUpdate,
  type LockAttempt,
  type LockRequest,
  type ReleaseStore,
} from '../../../core/ports/release-store.js';

const key = (service: string, environment: string) => `${service}/${environment}`;
const copy = <T>(value: T): T => structuredClone(value);
const newer = (
  a: { requestedAt: string; deploymentId: string },
  b: { requestedAt: string; deploymentId: string },
) => a.requestedAt > b.requestedAt || (a.requestedAt === b.requestedAt && a.deploymentId > b.deploymentId);

/**
 * An in-memory release store for tests. Each method is one atomic step, as a conditional write is in DynamoDB;
 * values are copied in and out so callers cannot share state with the store.
 */
export class FakeReleaseStore implements ReleaseStore {
  readonly deployments = new Map<string, DeploymentRecord>();
  readonly live = new Map<string, Release>();
  readonly locks = new Map<string, string>();
  readonly newestRequest = new Map<string, { deploymentId: string; requestedAt: string }>();
  readonly approvals = new Map<string, ApprovalTicket>();
  readonly freezes = new Map<string, Freeze>();
  readonly freezeOverrides = new Map<string, FreezeOverride>();

  async createDeployment(record: DeploymentRecord) {
    const existing = this.deployments.get(record.deploymentId);
    if (existing) return { created: false, record: copy(existing) };
    this.deployments.set(record.deploymentId, copy(record));
    return { created: true, record: copy(record) };
  }

  async getDeployment(deploymentId: string) {
    const record = this.deployments.get(deploymentId);
    return record && copy(record);
  }

  async updateDeployment(deploymentId: string, update: DeploymentUpdate) {
    const record = this.deployments.get(deploymentId);
    if (!record) throw new Error(`no deployment ${deploymentId}`);
    const { phases, addWarnings, addAnalysis, addAnnounced, ...fields } = copy(update);
    Object.assign(record, fields);
    for (const [phase, at] of Object.entries(phases ?? {})) {
      record.phases[phase as keyof typeof record.phases] ??= at;
    }
    record.warnings.push(...(addWarnings ?? []));
    if (addAnalysis?.length) record.analysis = [...(record.analysis ?? []), ...addAnalysis];
    if (addAnnounced?.length) record.announced = [...(record.announced ?? []), ...addAnnounced];
    return copy(record);
  }

  async listDeployments(service: string, environment: string, limit: number) {
    return [...this.deployments.values()]
      .filter((d) => d.service === service && d.environment === environment)
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
      .slice(0, limit)
      .map(copy);
  }

  async getLiveRelease(service: string, environment: string) {
    const release = this.live.get(key(service, environment));
    return release && copy(release);
  }

  async listLiveReleases(service: string) {
    return [...this.live.values()].filter((r) => r.service === service).map(copy);
  }

  async commitRelease(release: Release, at: string) {
    const record = this.deployments.get(release.deploymentId);
    if (!record) throw new Error(`no deployment ${release.deploymentId}`);
    this.live.set(key(release.service, release.environment), copy(release));
    record.status = 'succeeded';
    record.finishedAt = at;
  }

  async revertRelease(service: string, environment: string, deploymentId: string, previous?: Release) {
    const k = key(service, environment);
    if (this.live.get(k)?.deploymentId !== deploymentId) return;
    if (previous) this.live.set(k, copy(previous));
    else this.live.delete(k);
  }

  /** Requests remembered, each until when. */
  readonly requestsSeen = new Map<string, Date>();

  async rememberRequest(requestId: string, expiresAt: Date, now: Date): Promise<boolean> {
    const until = this.requestsSeen.get(requestId);
    if (until && until.getTime() >= now.getTime()) return false;
    this.requestsSeen.set(requestId, expiresAt);
    return true;
  }

  async acquireLock(request: LockRequest): Promise<LockAttempt> {
    const k = key(request.service, request.environment);
    if (this.locks.get(k) === request.deploymentId) return { outcome: 'acquired' };
    const newest = this.newestRequest.get(k);
    if (newest && newest.deploymentId !== request.deploymentId && newer(newest, request)) {
      return { outcome: 'superseded', by: newest.deploymentId };
    }
    this.newestRequest.set(k, { deploymentId: request.deploymentId, requestedAt: request.requestedAt });
    const holder = this.locks.get(k);
    if (holder) return { outcome: 'held', holder };
    this.locks.set(k, request.deploymentId);
    return { outcome: 'acquired' };
  }

  async releaseLock(service: string, environment: string, deploymentId: string) {
    const k = key(service, environment);
    if (this.locks.get(k) === deploymentId) this.locks.delete(k);
  }

  async lockHolder(service: string, environment: string) {
    return this.locks.get(key(service, environment));
  }

  async openApproval(ticket: ApprovalTicket) {
    const existing = [...this.approvals.values()].find(
      (t) => t.deploymentId === ticket.deploymentId && approvalSlotOf(t) === approvalSlotOf(ticket),
    );
    if (existing) return copy(existing);
    this.approvals.set(ticket.approvalId, copy(ticket));
    return copy(ticket);
  }

  async getApproval(approvalId: string) {
    const ticket = this.approvals.get(approvalId);
    return ticket && copy(ticket);
  }

  async approvalOf(deploymentId: string) {
    // Insertion order: the last one opened is the newest.
    const ticket = [...this.approvals.values()].filter((t) => t.deploymentId === deploymentId).at(-1);
    return ticket && copy(ticket);
  }

  async attachApprovalMessage(approvalId: string, message: { channel: string; ts: string }) {
    const ticket = this.approvals.get(approvalId);
    if (ticket) ticket.message = { ...message };
  }

  async rearmApproval(approvalId: string, taskToken: string) {
    const ticket = this.approvals.get(approvalId);
    if (!ticket) throw new Error(`no approval ${approvalId}`);
    if (ticket.status === 'pending') ticket.taskToken = taskToken;
    return copy(ticket);
  }

  async decideApproval(
    approvalId: string,
    decision: { status: Exclude<ApprovalTicket['status'], 'pending'>; by: string; at: string },
  ) {
    const ticket = this.approvals.get(approvalId);
    if (ticket?.status !== 'pending') return undefined;
    Object.assign(ticket, { status: decision.status, decidedBy: decision.by, decidedAt: decision.at });
    return copy(ticket);
  }

  async putFreeze(freeze: Freeze) {
    this.freezes.set(key(freeze.service, freeze.environment), copy(freeze));
  }

  async removeFreeze(service: string, environment: string) {
    const freeze = this.freezes.get(key(service, environment));
    this.freezes.delete(key(service, environment));
    return freeze && copy(freeze);
  }

  async listFreezes() {
    return [...this.freezes.values()].map(copy);
  }

  async putFreezeOverride(override: FreezeOverride) {
    const at = `${key(override.service, override.environment)}/${override.version}`;
    this.freezeOverrides.set(at, copy(override));
  }

  async freezeOverrideOf(service: string, environment: string, version: string) {
    const override = this.freezeOverrides.get(`${key(service, environment)}/${version}`);
    return override && copy(override);
  }
}
