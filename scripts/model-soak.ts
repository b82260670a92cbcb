import { parseArgs } from 'node:util';
import { coverage } from '../test/model/invariants.js';
import { runModel, type WorldKind } from '../test/model/run-model.js';

/**
 * npm run soak -- --minutes N [--world fakes|aws|both]: the model-based test (ADR 37) for as long as asked, in
 * rounds of fresh seeds, printing progress and the first counterexample (shrunk, one command per line).
 */
const USAGE = 'usage: npm run soak -- --minutes N [--world fakes|aws|both] [--round HISTORIES]';
const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    world: { type: 'string', default: 'both' },
    round: { type: 'string', default: '200' },
  },
});
const minutes = Number(values.minutes);
const round = Number(values.round);
const worlds: WorldKind[] = values.world === 'both' ? ['fakes', 'aws'] : [values.world as WorldKind];
if (!(minutes > 0) || !(round > 0) || !worlds.every((w) => w === 'fakes' || w === 'aws')) {
  console.error(USAGE);
  process.exit(2);
}

const until = Date.now() + minutes * 60_000;
const totals: Record<WorldKind, number> = { fakes: 0, aws: 0 };
let rounds = 0;
while (Date.now() < until) {
  const world = worlds[rounds % worlds.length] as WorldKind;
  // The simulated cloud's histories take several times as long: its rounds are a tenth as large.
  const runs = world === 'aws' ? Math.max(1, Math.round(round / 10)) : round;
  const seed = Math.floor(Math.random() * 2 ** 31);
  const result = await runModel({ world, runs, seed, timeLimitMs: Math.max(1, until - Date.now()) });
  rounds += 1;
  totals[world] += result.histories;
  const elapsed = ((minutes * 60_000 - (until - Date.now())) / 60_000).toFixed(1);
  console.log(
    `[${elapsed} of ${minutes} min] ${world}, seed ${seed}: ${result.histories} histories in ${(result.ms / 1000).toFixed(1)} s (totals: fakes ${totals.fakes}, simulated cloud ${totals.aws})`,
  );
  if (result.failed) {
    console.log(result.report);
    console.log(`covered: ${coverage.summary()}`);
    process.exit(1);
  }
}
console.log(
  `no invariant broken in ${totals.fakes + totals.aws} histories; the last round covered: ${coverage.summary()}`,
);
// Cut-off Lambdas of the last histories never return: nothing is left to wait for.
process.exit(0);
