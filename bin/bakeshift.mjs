#!/usr/bin/env node
// `npx bakeshift`: local mode runs from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

// The handlers' logger reads its level when first imported: set it before anything is (default INFO, to the
// control plane's log file; `--log-level` changes it).
const level = process.argv.indexOf('--log-level');
process.env.POWERTOOLS_LOG_LEVEL =
  level > 0 ? (process.argv[level + 1] ?? 'INFO') : (process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO');

register();
const { runCli } = await import('../operator/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
