import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Handlers log through Powertools; tests that check logging raise the level themselves.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 20_000,
  },
});
