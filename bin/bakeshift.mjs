#!/usr/bin/env node
// `npx bakeshift`: local mode runs from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../local/cli/main.ts');
