import { defineConfig } from 'vitest/config';

// `npm run test:moto`: bakeshift's AWS path against moto_server (an AWS emulator written by others), the stack
// deployed into it with CloudFormation. One synth and one moto_server for the run (global setup); the files run
// one after another in one worker sharing its modules, so the stack is deployed once (test/moto/support/
// scenario.ts) and moto reset to it for each scenario. CI runs it as its own step.
export default defineConfig({
  test: {
    include: ['test/moto/**/*.test.ts'],
    globalSetup: ['test/moto/support/global-setup.ts'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    isolate: false,
  },
});
