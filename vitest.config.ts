import { defineConfig } from 'vitest/config';

// Handlers log through Powertools; tests that check logging raise the level themselves.
const env = { POWERTOOLS_LOG_LEVEL: 'SILENT' };
// Every Task × every fault × every environment shape, and every API call: a step of CI of their own.
const FAULT_MATRICES = ['test/flow/fault-matrix.test.ts', 'test/aws/aws-fault-matrix.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit-and-flow',
          include: [
            'test/unit/**/*.test.ts',
            'test/static/**/*.test.ts',
            'test/flow/**/*.test.ts',
            'test/local/**/*.test.ts',
            'test/aws/**/*.test.ts',
            'test/chatops/**/*.test.ts',
            'test/infra/**/*.test.ts',
          ],
          exclude: FAULT_MATRICES,
          env,
          testTimeout: 20_000,
        },
      },
      {
        test: { name: 'fault-matrix', include: FAULT_MATRICES, env, testTimeout: 20_000 },
      },
      {
        // Thousands of generated histories of the whole orchestrator (ADR 37): a step of CI of its own.
        test: { name: 'model', include: ['test/model/**/*.test.ts'], env, testTimeout: 900_000 },
      },
      {
        // Real processes, load and timings on a 2-core machine: one file at a time.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          env,
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
