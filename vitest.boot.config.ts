import { defineConfig } from 'vitest/config';

// `npm run test:boot`: real boots of the builder's and the instances' user data (root, systemd-nspawn); one
// file, its machines one at a time. CI runs it as its own step.
export default defineConfig({
  test: {
    include: ['test/boot/**/*.test.ts'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    testTimeout: 10 * 60_000,
    hookTimeout: 20 * 60_000,
    fileParallelism: false,
  },
});
