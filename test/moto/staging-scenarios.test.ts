import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectNothingLeaks, worldClients } from './support/moto-state.js';
import { motoScenario, statesOf, upload } from './support/scenario.js';

/*
 * bakeshift's AWS path against moto: the stack deployed into moto with CloudFormation, every Task of the ASL
 * run by its deployed bundle (test/moto/support). Staging: all at once, no approval.
 */

const SHIMS_DOC = readFileSync(new URL('../../docs/moto-shims.md', import.meta.url), 'utf8');

describe('the stack in moto', () => {
  it("every resource type is created, by moto's CloudFormation or by the test, as docs/moto-shims.md says", async () => {
    const { stack } = await motoScenario();
    const listed = SHIMS_DOC.slice(SHIMS_DOC.indexOf("moto's CloudFormation creates:"));
    const created = listed.slice(0, listed.indexOf('\n\n')).replace(/\s+/g, ' ');
    expect(created.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g)?.sort()).toEqual(stack.provisionedByMoto);
    for (const type of stack.createdByTest) expect(SHIMS_DOC).toContain(`| ${type} |`);
  });
});

describe('staging on moto', () => {
  it('first deployment: bake, launch, shift, commit; nothing else left', async () => {
    const world = await motoScenario();
    const execution = await upload(world, 'staging', '1.0.0');
    expect((await execution.outcome).status).toBe('SUCCEEDED');
    const live = await worldClients(world).store.getLiveRelease('web', 'staging');
    expect(live?.version).toBe('1.0.0');
    expect(world.machines.builders.map((b) => b.report.status)).toEqual(['succeeded']);
    expect(world.machines.instances.map((i) => i.environment.GREETING)).toEqual([
      'hello from staging',
      'hello from staging',
    ]);
    expect(statesOf(execution)).toContain('CommitRelease');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('never healthy: green is destroyed, blue keeps serving, nothing leaks', async () => {
    const world = await motoScenario();
    expect((await (await upload(world, 'staging', '1.0.0')).outcome).status).toBe('SUCCEEDED');
    world.machines.broken.add('2.0.0');
    const execution = await upload(world, 'staging', '2.0.0');
    const outcome = await execution.outcome;
    expect(outcome.status).toBe('FAILED');
    expect(statesOf(execution)).toContain('DestroyGreen');
    expect((await worldClients(world).store.getLiveRelease('web', 'staging'))?.version).toBe('1.0.0');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });

  it('failed bake: the builder reports failure, is terminated, and nothing is launched', async () => {
    const world = await motoScenario();
    const execution = await upload(world, 'staging', '1.0.0', { start: '' });
    expect((await execution.outcome).status).toBe('FAILED');
    expect(world.machines.builders.map((b) => b.report.status)).toEqual(['failed']);
    expect(statesOf(execution)).not.toContain('LaunchGreen');
    const record = (await worldClients(world).store.listDeployments('web', 'staging', 1))[0];
    expect(record?.status).toBe('rolled_back');
    expect(JSON.stringify(record)).toContain('bakeshift.json has no start command');
    await expectNothingLeaks(world, 'web', ['staging', 'prod']);
  });
});
