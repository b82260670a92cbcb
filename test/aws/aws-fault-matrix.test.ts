import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/store/local-dynamodb.js';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import { expectCompensatedOnAws } from '../support/aws-invariants.js';
import { awsArns, awsWorldWithBlue, fleetApiCalls } from '../support/aws-world.js';
import { flowRegions } from '../support/flow-graph.js';
import type { SimulatedCloud } from '../support/simulated-cloud.js';

/**
 * The foundation's fault matrix with the AWS adapters over the simulated cloud: after every fault, no builder,
 * no green group, no launch template version or AMI of the attempt, the listener back to its recorded action,
 * blue's capacity unchanged. Faults come from the definition (every Task) and from the cloud (every API call).
 */
const definition = loadDeployDefinition();
const { beforeCommit, afterCommit } = flowRegions(definition, 'RecordFailure', 'CommitRelease');
const forwardTasks = taskStatesOf(definition)
  .map((t) => t.stateName)
  .filter((s) => beforeCommit.has(s) || afterCommit.has(s))
  // Staging has no approval, weighted steps or pre-traffic tests (prod's flow tests fail those Tasks).
  .filter(
    (s) =>
      !['RequestApproval', 'CheckGreenAtWeight', 'RunPreTrafficTests', 'RecordCleanupWarnings'].includes(s),
  );
const { listenerArn, targetGroupArns } = awsArns('staging');

// Started at collection time: the cases are generated from a baseline deployment.
const dynamo: LocalDynamoDb = await startLocalDynamoDb();
let cloud: SimulatedCloud | undefined;
afterAll(async () => {
  await dynamo.close();
});
afterEach(() => {
  cloud?.detach();
  cloud = undefined;
});

/** A world where 1.0.0 is live (blue), ready for 2.0.0. */
async function withBlue(options: { fleetSize?: number } = {}) {
  const setup = await awsWorldWithBlue(dynamo, options);
  cloud = setup.cloud;
  return setup;
}

async function expectOutcome(
  setup: Awaited<ReturnType<typeof withBlue>>,
  run: Awaited<ReturnType<Awaited<ReturnType<typeof withBlue>>['world']['deploy']>>,
) {
  const { world, cloud: sim, before } = setup;
  if (run.outcome.status === 'FAILED') {
    await expectCompensatedOnAws(world, sim, before, run.request, listenerArn);
    return 'compensated';
  }
  const green = [...sim.groups.values()].find((g) =>
    g.tags.some((t) => t.Key === 'bakeshift:fleet' && t.Value === run.request.deploymentId),
  );
  expect(green).toBeDefined();
  expect(sim.forwardWeights(listenerArn)).toEqual({ [green?.targetGroupArns[0] ?? 'detached']: 100 });
  expect(await world.store.lockHolder('web', 'staging')).toBeUndefined();
  return 'committed';
}

describe('AWS fault matrix: every Task fails after its work', () => {
  it.each(forwardTasks)('%s', async (stateName) => {
    const setup = await withBlue();
    setup.world.faults.push({ stateName, when: 'after' });
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(await expectOutcome(setup, run)).toBe(beforeCommit.has(stateName) ? 'compensated' : 'committed');
    if (afterCommit.has(stateName)) expect(run.record?.warnings.join()).toContain(`${stateName} failed`);
  });
});

/** Every distinct API command a fault-free deployment sends. */
async function commandsOfADeployment(): Promise<string[]> {
  const setup = await withBlue();
  const from = setup.cloud.calls.length;
  expect((await setup.world.deploy({ version: '2.0.0' })).outcome.status).toBe('SUCCEEDED');
  const names = [...new Set(setup.cloud.calls.slice(from).map((c) => c.name))];
  setup.cloud.detach();
  return names;
}
const commands = await commandsOfADeployment();

describe('AWS fault matrix: an API error in any call', () => {
  it('covers the calls of a whole deployment', () => {
    expect(commands).toEqual(
      expect.arrayContaining([
        'RunInstances',
        'CreateImage',
        'CreateAutoScalingGroup',
        'ModifyListener',
        'DescribeTargetHealth',
        'DetachTrafficSources',
        'DeleteAutoScalingGroup',
      ]),
    );
  });

  it.each(commands)(
    '%s fails once with a non-retryable error: compensated, or committed with nothing lost',
    async (command) => {
      const setup = await withBlue();
      setup.cloud.fail(command, 'ValidationError', 1);
      const run = await setup.world.deploy({ version: '2.0.0' });
      await expectOutcome(setup, run);
    },
  );

  it.each(commands)('%s is throttled once: retried, and the deployment succeeds', async (command) => {
    const setup = await withBlue();
    setup.cloud.fail(command, 'ThrottlingException', 1);
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome.status).toBe('SUCCEEDED');
  });
});

describe('AWS fault matrix: the cloud misbehaves', () => {
  it('no capacity for the builder (InsufficientInstanceCapacity): compensated', async () => {
    const setup = await withBlue();
    setup.cloud.fail('RunInstances', 'InsufficientInstanceCapacity');
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'TransientFailure' });
    expect(run.record?.failure?.step).toBe('BakeImage');
    await expectOutcome(setup, run);
  });

  it('a bake script that fails: no AMI, the builder terminated, the log tail in the cause', async () => {
    const setup = await withBlue();
    setup.cloud.builder = 'fail';
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'BakeFailed' });
    expect(run.record?.failure?.cause).toContain('npm ERR! code E404');
    // Only 1.0.0's bake made an image.
    expect(setup.cloud.inputsOf('CreateImage')).toHaveLength(1);
    await expectOutcome(setup, run);
  });

  it('targets that never become healthy: rolled back before any traffic moves, cause lists target states', async () => {
    const setup = await withBlue();
    setup.world.advanceOnCall.AwaitGreenHealthy = 60;
    const original = setup.cloud.onEvent;
    setup.cloud.onEvent = (event) => {
      if (event['detail-type'] === 'EC2 AMI State Change')
        setup.cloud.unhealthyImages.add(String(event.detail.ImageId));
      original(event);
    };
    const run = await setup.world.deploy({ version: '2.0.0' });
    expect(run.outcome).toMatchObject({ status: 'FAILED', error: 'HealthCheckFailed' });
    expect(run.record?.failure?.cause).toContain('unhealthy: Target.ResponseCodeMismatch');
    // Only 1.0.0's shift ever touched the listener: no shift, so nothing to restore.
    expect(setup.cloud.inputsOf('ModifyListener').filter((m) => m.ListenerArn === listenerArn)).toHaveLength(
      1,
    );
    await expectOutcome(setup, run);
  });
});

describe('API calls per deployment', () => {
  it('are the same for a fleet of 2 and of 200', async () => {
    const [small, large] = [await fleetApiCalls(dynamo, 2), await fleetApiCalls(dynamo, 200)];
    expect(large).toEqual(small);
    expect(small.DescribeTargetHealth).toBeGreaterThan(0);
    expect(targetGroupArns).toHaveLength(2);
  });
});
