// The worker's entry: local mode runs from its TypeScript sources, so the thread registers tsx before the
// data plane's module is imported (a worker does not inherit the parent's module hooks).
import { register } from 'tsx/esm/api';

register();
await import('./data-plane-thread.ts');
