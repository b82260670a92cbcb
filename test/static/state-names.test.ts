import { describe, expect, it } from 'vitest';
import { loadDeployDefinition, taskStatesOf } from '../../statemachines/deploy-definition.js';
import { STATE_ALIASES } from '../../statemachines/state-names.js';

describe('Task state names (statemachines/state-names.ts)', () => {
  const tasks = taskStatesOf(loadDeployDefinition());

  it('each Task state is named after the function it runs, or is a listed alias of it', () => {
    const misnamed = tasks
      .filter((t) => t.stateName !== t.functionName)
      .filter((t) => STATE_ALIASES[t.stateName as keyof typeof STATE_ALIASES] !== t.functionName)
      .map((t) => `${t.stateName} runs ${t.functionName}`);
    expect(misnamed).toEqual([]);
  });

  it("a failure is recorded under the failing state's own name ($.failed.<state>)", () => {
    const states = loadDeployDefinition().States;
    const misrecorded = Object.entries(states).flatMap(([name, state]) =>
      (state.Catch ?? [])
        .filter((c) => c.ResultPath?.startsWith('$.failed.') && c.ResultPath !== `$.failed.${name}`)
        .map((c) => `${name} records as ${c.ResultPath}`),
    );
    expect(misrecorded).toEqual([]);
  });

  it('every alias names a Task state of the ASL', () => {
    const names = new Set(tasks.map((t) => t.stateName));
    expect(Object.keys(STATE_ALIASES).filter((alias) => !names.has(alias))).toEqual([]);
  });
});
