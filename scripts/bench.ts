/**
 * `npm run bench`: figures that the tests do not time. Human-readable lines, then (with --json) one JSON
 * object on the last line. Later work adds its figures to the same object.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Imported after the log level is set: Powertools reads it when the logger is created.
const { transitionsOfPlainDeployment, USD_PER_TRANSITION } = await import(
  '../test/support/measure-transitions.js'
);

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) console.log(line);
};

log('bakeshift bench');
log('- state transitions of a plain all-at-once deployment replacing blue (no approval, 1-minute bake)…');
const stateTransitions = await transitionsOfPlainDeployment(1);
const longBake = await transitionsOfPlainDeployment(30);
const costUsd = stateTransitions * USD_PER_TRANSITION;
log(
  `  ${stateTransitions} transitions (a 30-minute bake: ${longBake}) = $${costUsd.toFixed(5)} per deployment`,
);

const figures = {
  stateTransitions,
  stateTransitionsLongBake: longBake,
  stepFunctionsUsdPerDeployment: Number(costUsd.toFixed(6)),
};
if (json) console.log(JSON.stringify(figures));
