import { describe, expect, it } from 'vitest';
import { decideApproval } from '../../core/approvals/decide-approval.js';
import type { ApprovalTicket } from '../../core/ports/release-store.js';
import { FakeApprovalChannel } from '../support/fakes/fake-approval-channel.js';
import { FakeClock } from '../support/fakes/fake-clock.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';
import { RecordingNotifier } from '../support/fakes/recording-notifier.js';

class RecordingCallbacks {
  readonly calls: { token: string; kind: 'succeed' | 'fail'; detail: unknown }[] = [];
  async succeed(token: string, output: Record<string, unknown>) {
    this.calls.push({ token, kind: 'succeed', detail: output });
  }
  async fail(token: string, error: string, cause: string) {
    this.calls.push({ token, kind: 'fail', detail: { error, cause } });
  }
}

async function setUp() {
  const clock = new FakeClock();
  const deps = {
    store: new FakeReleaseStore(),
    callbacks: new RecordingCallbacks(),
    approvals: new FakeApprovalChannel(),
    notifier: new RecordingNotifier(),
    clock,
  };
  const ticket: ApprovalTicket = {
    approvalId: 'opaque-1',
    deploymentId: 'web-prod-1',
    service: 'web',
    environment: 'prod',
    version: '2.0.0',
    approvers: ['alice'],
    context: { imageId: 'image-2', trigger: 'artifact', requestedBy: 'ci', desiredCapacity: 3 },
    requestedAt: clock.now().toISOString(),
    expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString(),
    taskToken: 'token-1',
    status: 'pending',
  };
  await deps.store.openApproval(ticket);
  return { deps, clock };
}

describe('deciding an approval', () => {
  it('an approver’s approval resumes the waiting Task once, and is shown and announced', async () => {
    const { deps } = await setUp();
    const result = await decideApproval(deps, { approvalId: 'opaque-1', approve: true, by: 'alice' });
    expect(result.outcome).toBe('approved');
    expect(deps.callbacks.calls).toEqual([
      { token: 'token-1', kind: 'succeed', detail: expect.objectContaining({ approvedBy: 'alice' }) },
    ]);
    expect(deps.approvals.outcomes.map((o) => o.status)).toEqual(['approved']);
    expect(deps.approvals.outcomes[0]).not.toHaveProperty('taskToken');
    expect(deps.notifier.events.map((e) => e.kind)).toEqual(['approved']);
  });

  it('a rejection fails the waiting Task with ApprovalRejected', async () => {
    const { deps } = await setUp();
    await decideApproval(deps, { approvalId: 'opaque-1', approve: false, by: 'alice' });
    expect(deps.callbacks.calls).toEqual([
      { token: 'token-1', kind: 'fail', detail: { error: 'ApprovalRejected', cause: 'rejected by alice' } },
    ]);
  });

  it('a double click, a non-approver, an unknown id and a click after expiry change nothing', async () => {
    const { deps, clock } = await setUp();
    expect(await decideApproval(deps, { approvalId: 'nope', approve: true, by: 'alice' })).toEqual({
      outcome: 'unknown_approval',
    });
    expect(await decideApproval(deps, { approvalId: 'opaque-1', approve: true, by: 'mallory' })).toEqual({
      outcome: 'not_an_approver',
      approvers: ['alice'],
    });
    clock.advance(3601);
    expect(await decideApproval(deps, { approvalId: 'opaque-1', approve: true, by: 'alice' })).toEqual({
      outcome: 'expired',
      status: 'pending',
    });
    expect(deps.callbacks.calls).toEqual([]);
  });

  it('two concurrent clicks resume the Task exactly once', async () => {
    const { deps } = await setUp();
    const results = await Promise.all([
      decideApproval(deps, { approvalId: 'opaque-1', approve: true, by: 'alice' }),
      decideApproval(deps, { approvalId: 'opaque-1', approve: false, by: 'alice' }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['already_decided', 'approved']);
    expect(deps.callbacks.calls).toHaveLength(1);
  });
});
