import { defineConfig } from 'vitest/config';

// `npm run test:moto`: bakeshift's AWS path against moto_server (an AWS emulator written by others), the stack
// deployed into it with CloudFormation. One synth for the run (global setup), one file at a time, each with its
// own moto_server. CI runs it as its own step.
export default defineConfig({
  test: {
    include: ['test/moto/**/*.test.ts'],
    globalSetup: ['test/moto/support/global-setup.ts'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 300_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
