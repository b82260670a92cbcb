import { describe, expect, it } from 'vitest';
import { FakeWorld } from '../support/fake-world.js';
import { transitionsOfPlainDeployment, USD_PER_TRANSITION } from '../support/measure-transitions.js';

describe('state transitions (what a deployment costs in Step Functions)', () => {
  it('a plain all-at-once deployment with no approval takes 26 transitions (the README’s figure, $0.00065)', async () => {
    const transitions = await transitionsOfPlainDeployment(1);
    expect(transitions).toBe(26);
    expect(transitions * USD_PER_TRANSITION).toBeCloseTo(0.00065, 8);
  });

  it('waiting costs no transitions in proportion to time: a 1-minute and a 30-minute bake cost the same', async () => {
    const [short, long] = [await transitionsOfPlainDeployment(1), await transitionsOfPlainDeployment(30)];
    expect(long).toBe(short);
  });

  it('counts every state entered and every retry', async () => {
    const world = new FakeWorld();
    const run = await world.deploy({ version: '1.0.0' });
    const entered = run.execution.events.filter((e) => e.type === 'StateEntered').length;
    const retried = run.execution.events.filter((e) => e.type === 'StateRetried').length;
    expect(retried).toBeGreaterThan(0);
    expect(run.execution.stateTransitions).toBe(entered + retried);
  });
});
