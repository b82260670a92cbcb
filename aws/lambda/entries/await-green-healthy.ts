import { systemClock } from '../../../core/ports/clock.js';
import { createAwaitGreenHealthy } from '../../../functions/await-green-healthy.js';
import { awsDiagnostics, awsHealth, awsStore } from '../aws-ports.js';

export const handler = createAwaitGreenHealthy({
  health: awsHealth(),
  diagnostics: awsDiagnostics(),
  store: awsStore(),
  clock: systemClock,
});
