import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord, Release } from '../../core/deployment/deployment-record.js';
import type { ApprovalTicket, ReleaseStore } from '../../core/ports/release-store.js';
import {
  ensureReleaseTable,
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '../../local/store/local-dynamodb.js';
import { DynamoDbReleaseStore } from '../../shared-adapters/release-store/dynamodb-release-store.js';
import { FakeReleaseStore } from '../support/fakes/fake-release-store.js';

/**
 * One contract, two stores: the DynamoDB adapter (against dynalite, DynamoDB's API) and the fake the flow tests
 * use. Passing the same assertions is what makes the fake a faithful stand-in.
 */
let dynamo: LocalDynamoDb;
let tableSequence = 0;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(async () => {
  await dynamo.close();
});

const stores: [string, () => Promise<ReleaseStore>][] = [
  ['FakeReleaseStore', async () => new FakeReleaseStore()],
  [
    'DynamoDbReleaseStore (dynalite)',
    async () => {
      const table = `releases-${++tableSequence}`;
      await ensureReleaseTable(dynamo.client, table);
      return new DynamoDbReleaseStore(dynamo.client, table);
    },
  ],
];

const record = (id: string, requestedAt: string, environment = 'prod'): DeploymentRecord => ({
  deploymentId: id,
  service: 'web',
  environment,
  trigger: 'artifact',
  version: '1.0.0',
  requestedBy: 'ci',
  requestedAt,
  status: 'in_progress',
  greenFleetId: id,
  phases: {},
  warnings: [],
});
const release = (deploymentId: string): Release => ({
  service: 'web',
  environment: 'prod',
  version: '1.0.0',
  imageId: `image-${deploymentId}`,
  fleetId: deploymentId,
  deploymentId,
  capacity: { min: 1, desired: 2, max: 4 },
  liveSince: '2026-01-01T00:00:00.000Z',
});
const lock = (deploymentId: string, requestedAt: string) => ({
  service: 'web',
  environment: 'prod',
  deploymentId,
  requestedAt,
});

describe.each(stores)('release store contract: %s', (_, makeStore) => {
  it('creates a record once, merges updates, keeps first phase times and appends warnings', async () => {
    const store = await makeStore();
    expect((await store.createDeployment(record('d1', '2026-01-01T00:00:00.000Z'))).created).toBe(true);
    const again = await store.createDeployment({
      ...record('d1', '2026-01-01T00:00:00.000Z'),
      version: 'other',
    });
    expect(again).toMatchObject({ created: false, record: { version: '1.0.0' } });

    await store.updateDeployment('d1', { phases: { bake: 'T1' }, addWarnings: ['w1'] });
    const updated = await store.updateDeployment('d1', {
      status: 'compensating',
      phases: { bake: 'T2', launch: 'T3' },
      addWarnings: ['w2'],
    });
    expect(updated).toMatchObject({
      status: 'compensating',
      phases: { bake: 'T1', launch: 'T3' },
      warnings: ['w1', 'w2'],
    });
    await expect(store.updateDeployment('missing', { status: 'succeeded' })).rejects.toThrow(
      'no deployment missing',
    );
  });

  it('lists an environment’s history newest first', async () => {
    const store = await makeStore();
    await store.createDeployment(record('old', '2026-01-01T00:00:00.000Z'));
    await store.createDeployment(record('new', '2026-01-02T00:00:00.000Z'));
    await store.createDeployment(record('elsewhere', '2026-01-03T00:00:00.000Z', 'staging'));
    expect((await store.listDeployments('web', 'prod', 10)).map((d) => d.deploymentId)).toEqual([
      'new',
      'old',
    ]);
    expect((await store.listDeployments('web', 'prod', 1)).map((d) => d.deploymentId)).toEqual(['new']);
  });

  it('commits a release atomically with its record, and reverts it only for its own deployment', async () => {
    const store = await makeStore();
    await store.createDeployment(record('d1', '2026-01-01T00:00:00.000Z'));
    await store.createDeployment(record('d2', '2026-01-02T00:00:00.000Z'));
    await store.commitRelease(release('d1'), 'T');
    await store.commitRelease(release('d2'), 'T');
    expect((await store.getDeployment('d2'))?.status).toBe('succeeded');
    expect(await store.listLiveReleases('web')).toEqual([release('d2')]);

    await store.revertRelease('web', 'prod', 'd1', undefined);
    expect((await store.getLiveRelease('web', 'prod'))?.deploymentId).toBe('d2');
    await store.revertRelease('web', 'prod', 'd2', release('d1'));
    expect(await store.getLiveRelease('web', 'prod')).toEqual(release('d1'));
    await store.revertRelease('web', 'prod', 'd1', undefined);
    expect(await store.getLiveRelease('web', 'prod')).toBeUndefined();
  });

  it('lets one deployment hold the lock, re-entrantly, and supersedes older waiting requests', async () => {
    const store = await makeStore();
    expect(await store.acquireLock(lock('a', '2026-01-01T00:00:01.000Z'))).toEqual({ outcome: 'acquired' });
    expect(await store.acquireLock(lock('a', '2026-01-01T00:00:01.000Z'))).toEqual({ outcome: 'acquired' });
    expect(await store.acquireLock(lock('b', '2026-01-01T00:00:02.000Z'))).toEqual({
      outcome: 'held',
      holder: 'a',
    });
    expect(await store.acquireLock(lock('c', '2026-01-01T00:00:03.000Z'))).toEqual({
      outcome: 'held',
      holder: 'a',
    });
    expect(await store.acquireLock(lock('b', '2026-01-01T00:00:02.000Z'))).toEqual({
      outcome: 'superseded',
      by: 'c',
    });

    await store.releaseLock('web', 'prod', 'b');
    expect(await store.lockHolder('web', 'prod')).toBe('a');
    await store.releaseLock('web', 'prod', 'a');
    expect(await store.acquireLock(lock('c', '2026-01-01T00:00:03.000Z'))).toEqual({ outcome: 'acquired' });
    expect(await store.lockHolder('web', 'prod')).toBe('c');
  });

  it('remembers a request until it expires: the first time true, a replay false, after expiry true again', async () => {
    const store = await makeStore();
    const now = new Date('2026-12-03T15:00:00Z');
    const until = new Date(now.getTime() + 600_000);
    expect(await store.rememberRequest('slack:v0=abc', until, now)).toBe(true);
    expect(await store.rememberRequest('slack:v0=abc', until, new Date(now.getTime() + 60_000))).toBe(false);
    expect(await store.rememberRequest('slack:v0=other', until, now)).toBe(true);
    const later = new Date(until.getTime() + 1000);
    expect(await store.rememberRequest('slack:v0=abc', new Date(later.getTime() + 600_000), later)).toBe(
      true,
    );
  });

  it('opens one approval per deployment and decides it exactly once', async () => {
    const store = await makeStore();
    const ticket: ApprovalTicket = {
      approvalId: 'opaque',
      deploymentId: 'd1',
      service: 'web',
      environment: 'prod',
      version: '1.0.0',
      approvers: ['alice'],
      context: { imageId: 'i', trigger: 'artifact', requestedBy: 'ci', desiredCapacity: 2 },
      requestedAt: 'T0',
      expiresAt: 'T9',
      taskToken: 'token-1',
      status: 'pending',
    };
    expect(await store.openApproval(ticket)).toEqual(ticket);
    expect((await store.openApproval({ ...ticket, approvalId: 'other' })).approvalId).toBe('opaque');
    expect((await store.rearmApproval('opaque', 'token-2')).taskToken).toBe('token-2');
    await store.attachApprovalMessage('opaque', { channel: 'C1', ts: '171.5' });
    expect((await store.getApproval('opaque'))?.message).toEqual({ channel: 'C1', ts: '171.5' });
    expect(await store.approvalOf('d1')).toMatchObject({ approvalId: 'opaque', taskToken: 'token-2' });

    const decided = await Promise.all([
      store.decideApproval('opaque', { status: 'approved', by: 'alice', at: 'T1' }),
      store.decideApproval('opaque', { status: 'rejected', by: 'alice', at: 'T1' }),
    ]);
    expect(decided.filter(Boolean)).toHaveLength(1);
    expect((await store.rearmApproval('opaque', 'token-3')).taskToken).toBe('token-2');
  });

  it('keeps one ticket per gate: a doubt after a step is a second ticket, the newest is the one to decide', async () => {
    const store = await makeStore();
    const before: ApprovalTicket = {
      approvalId: 'before-traffic',
      deploymentId: 'd1',
      service: 'web',
      environment: 'prod',
      version: '1.0.0',
      approvers: ['alice'],
      context: { imageId: 'i', trigger: 'artifact', requestedBy: 'ci', desiredCapacity: 2 },
      requestedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T01:00:00.000Z',
      taskToken: 'token-1',
      status: 'pending',
    };
    await store.openApproval(before);
    await store.decideApproval('before-traffic', { status: 'approved', by: 'alice', at: 'T1' });
    const doubt = (step: string, approvalId: string, requestedAt: string): ApprovalTicket => ({
      ...before,
      approvalId,
      gate: 'inconclusive',
      evidence: { step, reason: 'inconclusive: too few requests' },
      requestedAt,
    });
    const at10 = doubt('CheckGreenAtWeight 10%', 'doubt-10', '2026-01-01T00:10:00.000Z');
    expect(await store.openApproval(at10)).toEqual(at10);
    // Re-armed, the same step's gate finds its own ticket, not the one before traffic.
    expect((await store.openApproval({ ...at10, approvalId: 'again' })).approvalId).toBe('doubt-10');
    expect(await store.approvalOf('d1')).toMatchObject({ approvalId: 'doubt-10', status: 'pending' });
    expect(await store.getApproval('before-traffic')).toMatchObject({
      approvalId: 'before-traffic',
      status: 'approved',
    });
    await store.decideApproval('doubt-10', { status: 'approved', by: 'bob', at: 'T2' });
    await store.openApproval(doubt('CheckGreenAtWeight 50%', 'doubt-50', '2026-01-01T00:20:00.000Z'));
    expect(await store.approvalOf('d1')).toMatchObject({ approvalId: 'doubt-50', status: 'pending' });
    expect(await store.getApproval('doubt-10')).toMatchObject({ status: 'approved', decidedBy: 'bob' });
  });

  it('keeps one freeze per scope with who and why, lists them all and lifts exactly one', async () => {
    const store = await makeStore();
    const freeze = {
      service: 'web',
      environment: 'prod',
      until: '2026-12-24T00:00:00.000Z',
      reason: 'holiday sales',
      by: 'alice',
      at: '2026-12-01T00:00:00.000Z',
    };
    await store.putFreeze(freeze);
    await store.putFreeze({ ...freeze, reason: 'longer', until: '2026-12-31T00:00:00.000Z' });
    await store.putFreeze({ ...freeze, service: '*', by: 'bob' });
    const listed = await store.listFreezes();
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual({ ...freeze, reason: 'longer', until: '2026-12-31T00:00:00.000Z' });
    expect(await store.removeFreeze('web', 'prod')).toMatchObject({ reason: 'longer', by: 'alice' });
    expect(await store.removeFreeze('web', 'prod')).toBeUndefined();
    expect(await store.listFreezes()).toEqual([{ ...freeze, service: '*', by: 'bob' }]);

    const override = {
      service: 'web',
      environment: 'prod',
      version: '1.0.1',
      by: 'carol',
      via: 'local-token',
      reason: 'hotfix',
      at: freeze.at,
      // The freeze it was given for comes back as it went in (ADR 48).
      freezes: [{ service: 'web', environment: 'prod', at: freeze.at, until: freeze.until }],
    };
    await store.putFreezeOverride(override);
    expect(await store.freezeOverrideOf('web', 'prod', '1.0.1')).toEqual(override);
    expect(await store.freezeOverrideOf('web', 'prod', '1.0.2')).toBeUndefined();
    expect(await store.freezeOverrideOf('web', 'staging', '1.0.1')).toBeUndefined();
  });
});
