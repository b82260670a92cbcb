import { describe, expect, it } from 'vitest';
import { coverage } from './invariants.js';
import { runModel, type WorldKind } from './run-model.js';

/**
 * The model-based test of the whole orchestrator (ADR 37): random histories of deployments, promotions,
 * rollbacks, congruence and janitor runs, faults in any step, crashes and restarts, interleaved at every port
 * call, over the fakes and over the simulated cloud, with the invariants checked after every command.
 * BAKESHIFT_MODEL_SEED replays a run, BAKESHIFT_MODEL_RUNS sets the fakes' histories (the simulated cloud runs
 * a tenth as many: each of its histories takes ten times as long).
 */
const seed = Number(process.env.BAKESHIFT_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runs = Number(process.env.BAKESHIFT_MODEL_RUNS ?? 2000);
const only = process.env.BAKESHIFT_MODEL_WORLD as WorldKind | undefined;
const path = process.env.BAKESHIFT_MODEL_PATH;
const RUNS: Record<WorldKind, number> = { fakes: runs, aws: Math.max(1, Math.round(runs / 10)) };

const WORLDS: WorldKind[] = only ? [only] : ['fakes', 'aws'];

describe('the orchestrator, as a model of random histories', () => {
  for (const world of WORLDS) {
    it(`keeps every invariant over the ${world === 'fakes' ? 'fakes' : 'simulated cloud'}`, async () => {
      console.log(
        `model (${world}): seed ${seed}, ${RUNS[world]} histories; replay with BAKESHIFT_MODEL_SEED=${seed}`,
      );
      const result = await runModel({ world, runs: RUNS[world], seed, ...(path ? { path } : {}) });
      console.log(
        `model (${world}): ${result.histories} histories in ${(result.ms / 1000).toFixed(1)} s; ${coverage.summary()}`,
      );
      if (result.failed) expect.fail(result.report);
      expect(result.histories).toBe(RUNS[world]);
    });
  }
});
