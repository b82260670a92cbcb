import { describe, expect, it } from 'vitest';
import { coverage } from './invariants.js';
import { MODEL_TEST_FILES, runModel, type WorldKind } from './run-model.js';

/**
 * The model-based test of the whole orchestrator (ADR 37) over one world: random histories of deployments,
 * promotions, rollbacks, congruence and janitor runs, faults in any step, crashes and restarts, interleaved at
 * every port call, with the invariants checked after every command. BAKESHIFT_MODEL_SEED replays a run,
 * BAKESHIFT_MODEL_PATH one history of it (the failure prints both), BAKESHIFT_MODEL_RUNS sets the histories.
 */
export function describeModel(world: WorldKind, defaultRuns: number): void {
  const seed = Number(process.env.BAKESHIFT_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const runs = Number(process.env.BAKESHIFT_MODEL_RUNS ?? defaultRuns);
  const path = process.env.BAKESHIFT_MODEL_PATH;
  const name = world === 'fakes' ? 'the fakes' : 'the simulated cloud';

  describe(`the orchestrator, as a model of random histories over ${name}`, () => {
    it(`keeps every invariant over ${runs} histories`, async () => {
      console.log(
        `model (${world}): seed ${seed}, ${runs} histories; replay with BAKESHIFT_MODEL_SEED=${seed} npm run test:model -- ${MODEL_TEST_FILES[world]}`,
      );
      const result = await runModel({ world, runs, seed, ...(path ? { path } : {}) });
      console.log(
        `model (${world}): ${result.histories} histories in ${(result.ms / 1000).toFixed(1)} s; ${coverage.summary()}`,
      );
      if (result.failed) expect.fail(result.report);
      expect(result.histories).toBe(runs);
    });
  });
}
