// The worker's entry: registers tsx before the TypeScript load generator is imported (see load-in-thread.ts).
import { register } from 'tsx/esm/api';

register();
await import('./load-thread.ts');
