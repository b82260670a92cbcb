import type { TaskFunctionName } from '../functions/catalog.js';

/**
 * Task states that run a function a second time under another name (the state names must be unique); every
 * other Task state is named after its function. Checked against the ASL by test/static/state-names.test.ts.
 */
export const STATE_ALIASES = {
  AnnounceSuccess: 'AnnounceOutcome',
  AnnounceRollback: 'AnnounceOutcome',
  ReleaseLockAfterRollback: 'ReleaseLock',
  AskAboutDoubtAtWeight: 'RequestApproval',
  AskAboutDoubtAfterWatch: 'RequestApproval',
} as const satisfies Record<string, TaskFunctionName>;

/** The name of a Task state of deploy.asl.json. */
export type TaskStateName = TaskFunctionName | keyof typeof STATE_ALIASES;
