import { describe, expect, it } from 'vitest';
import { readStatus } from '../../core/operations/read-status.js';
import { statusLine } from '../../operator/cli/operator-commands.js';
import { FakeWorld, webConfig } from '../support/fake-world.js';
import { environmentState, expectCommitted, expectCompensated } from '../support/invariants.js';

/**
 * `onInconclusive: approval` (ADR 50): a verdict in doubt asks prod's approvers on a second ticket showing its
 * evidence; approved goes on, rejected rolls back. The real ASL and handlers over the fakes.
 */
async function worldInDoubt(options: ConstructorParameters<typeof FakeWorld>[0] = {}) {
  const world = new FakeWorld(options);
  const config = webConfig();
  world.configs.set('web', {
    ...config,
    environments: {
      ...config.environments,
      prod: { ...config.environments.prod, analysis: { onInconclusive: 'approval' } },
    },
  });
  const v1 = await world.deploy({ version: '1.0.0', environment: 'prod' });
  expect(v1.outcome.status).toBe('SUCCEEDED');
  // Blue is busy before the shift and green is never counted after it: CloudWatch may lag, so it is doubt.
  world.metrics.byFleet.set(v1.record?.greenFleetId ?? '', { requests: 6000, errors: 0, p99Ms: 20 });
  return world;
}

describe('a verdict in doubt asks the approvers (onInconclusive: approval)', () => {
  it('asks at each doubtful step with the evidence, and approved it goes on to the commit', async () => {
    const world = await worldInDoubt();
    const v2 = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(v2.outcome.status).toBe('SUCCEEDED');
    await expectCommitted(world, v2.request, {
      doubtsAccepted: ['CheckGreenAtWeight 10%', 'CheckGreenAtWeight 50%', 'WatchGreen'].map(
        (step) => `${step} was inconclusive; accepted by alice`,
      ),
    });
    const asked = world.approvals.asked.filter((a) => a.deploymentId === v2.request.deploymentId);
    expect(asked.map((a) => [a.gate, a.evidence?.step])).toEqual([
      [undefined, undefined],
      ['inconclusive', 'CheckGreenAtWeight 10%'],
      ['inconclusive', 'CheckGreenAtWeight 50%'],
      ['inconclusive', 'WatchGreen'],
    ]);
    const doubt = asked[1]?.evidence;
    expect(doubt?.reason).toMatch(
      /^inconclusive: no request counted for green since the shift, while blue had \d+/,
    );
    expect(doubt?.statistics?.errors).toEqual(
      expect.objectContaining({ threshold: expect.any(Number), floor: 0.005 }),
    );
    expect(doubt?.statistics?.requests.seen).toBe(0);
    expect(world.statesEntered(v2.execution)).toEqual(
      expect.arrayContaining(['AskAboutDoubtAtWeight', 'AskAboutDoubtAfterWatch']),
    );
    expect(v2.record?.inDoubt).toBeNull();
    expect(v2.record?.analysis?.map((a) => a.outcome)).toEqual([
      'inconclusive',
      'inconclusive',
      'inconclusive',
    ]);
  });

  it('while it waits, status says so with the evidence, and a decision by deployment applies to the doubt', async () => {
    const world = await worldInDoubt();
    world.approvals.answerFor = (view) =>
      view.evidence?.step === 'CheckGreenAtWeight 10%' ? 'no-answer' : { approve: true, by: 'alice' };
    const request = world.request({ version: '2.0.0', environment: 'prod' });
    const execution = world.start(request);
    for (let i = 0; i < 400 && !world.approvals.asked.some((a) => a.gate); i++)
      await new Promise((resolve) => setTimeout(resolve, 5));

    const status = (
      await readStatus({
        configs: Object.assign(world.configs, { services: async () => ['web'] }),
        store: world.store,
        serving: {
          endpoints: async () => undefined,
          instanceCount: async () => 3,
          traffic: async () => [],
          congruenceSchedules: () => [],
        },
      })
    ).services.find((s) => s.environment === 'prod');
    expect(status?.inFlight).toEqual([
      expect.objectContaining({ deploymentId: request.deploymentId, awaitingApproval: true }),
    ]);
    expect(status && statusLine(status)).toMatch(
      /2\.0\.0 \(.+\) waits for a decision, in doubt at CheckGreenAtWeight 10%: inconclusive: no request counted for green/,
    );
    const ticket = await world.store.approvalOf(request.deploymentId);
    expect(ticket?.gate).toBe('inconclusive');
    await world.approvals.decide(ticket?.approvalId ?? '', true, 'bob');

    expect((await execution.outcome).status).toBe('SUCCEEDED');
    const record = await world.store.getDeployment(request.deploymentId);
    expect(record?.inDoubt).toBeNull();
    expect(record?.approvedBy).toBe('alice');
    expect(record?.warnings[0]).toBe('CheckGreenAtWeight 10% was inconclusive; accepted by bob');
  });

  it('rejected, the deployment is rolled back and nothing of green is left', async () => {
    const world = await worldInDoubt();
    const before = await environmentState(world, 'web', 'prod');
    world.approvals.answerFor = (view) =>
      view.gate ? { approve: false, by: 'bob' } : { approve: true, by: 'alice' };
    const v2 = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
    await expectCompensated(world, v2.request, before, 'AskAboutDoubtAtWeight');
    expect(v2.record?.failure?.cause).toBe('rejected by bob');
    expect(world.statesEntered(v2.execution).filter((s) => s === 'ShiftTraffic')).toHaveLength(1);
    const ticket = await world.store.approvalOf(v2.request.deploymentId);
    expect(ticket).toMatchObject({ gate: 'inconclusive', status: 'rejected', decidedBy: 'bob' });
  });

  it('unanswered, the doubt times out: the ticket is closed and the deployment rolled back', async () => {
    const world = await worldInDoubt({ timing: { callbackTimeoutMs: 30 } });
    const before = await environmentState(world, 'web', 'prod');
    world.approvals.answerFor = (view) => (view.gate ? 'no-answer' : { approve: true, by: 'alice' });
    // Each wait that times out stood for the whole approval timeout.
    world.advanceOnCall.AskAboutDoubtAtWeight = 3600;
    const v2 = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'ApprovalTimedOut' });
    await expectCompensated(world, v2.request, before, 'AskAboutDoubtAtWeight');
    expect(await world.store.approvalOf(v2.request.deploymentId)).toMatchObject({
      gate: 'inconclusive',
      status: 'expired',
    });
  });

  it('under the default (rollback) the same doubt rolls back without asking', async () => {
    const world = await worldInDoubt();
    world.configs.set('web', webConfig());
    const v2 = await world.deploy({ version: '2.0.0', environment: 'prod' });

    expect(v2.outcome).toMatchObject({ status: 'FAILED', error: 'AnalysisInconclusive' });
    expect(world.approvals.asked.filter((a) => a.gate)).toEqual([]);
  });
});
