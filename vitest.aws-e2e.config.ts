import { defineConfig } from 'vitest/config';

/** `npm run test:aws-account`: against a real AWS account, only through scripts/aws-e2e.ts (which checks credentials). */
export default defineConfig({
  test: {
    include: ['test/aws-e2e/**/*.test.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
  },
});
