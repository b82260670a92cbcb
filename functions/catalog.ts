import type { Ports } from '../core/ports/index.js';
import { createAnnounceOutcome } from './announce-outcome.js';
import { createAwaitGreenHealthy } from './await-green-healthy.js';
import { createBakeImage } from './bake-image.js';
import { createCheckGreenAtWeight } from './check-green-at-weight.js';
import { createCommitRelease } from './commit-release.js';
import type { TaskHandler } from './commons/define-task.js';
import { createDestroyGreen } from './destroy-green.js';
import { createDiscardBake } from './discard-bake.js';
import { createDrainBlue } from './drain-blue.js';
import { createLaunchGreen } from './launch-green.js';
import { createPrepareDeployment } from './prepare-deployment.js';
import { createPruneImages } from './prune-images.js';
import { createReapBlue } from './reap-blue.js';
import { createRecordCleanupWarnings } from './record-cleanup-warnings.js';
import { createRecordFailure } from './record-failure.js';
import { createRecordRollback } from './record-rollback.js';
import { createReleaseLock } from './release-lock.js';
import { createRequestApproval } from './request-approval.js';
import { createRestoreTraffic } from './restore-traffic.js';
import { createRunPreTrafficTests } from './run-pre-traffic-tests.js';
import { createShiftTraffic } from './shift-traffic.js';
import { createWatchGreen } from './watch-green.js';

/**
 * Every Task function, by the name its ASL placeholder uses (`${<Name>FunctionArn}`). The local engine builds
 * its handlers from this table and the CDK app one Lambda function per entry.
 */
export const taskFunctions = {
  PrepareDeployment: createPrepareDeployment,
  BakeImage: createBakeImage,
  LaunchGreen: createLaunchGreen,
  AwaitGreenHealthy: createAwaitGreenHealthy,
  RunPreTrafficTests: createRunPreTrafficTests,
  RequestApproval: createRequestApproval,
  ShiftTraffic: createShiftTraffic,
  CheckGreenAtWeight: createCheckGreenAtWeight,
  WatchGreen: createWatchGreen,
  CommitRelease: createCommitRelease,
  DrainBlue: createDrainBlue,
  ReapBlue: createReapBlue,
  PruneImages: createPruneImages,
  ReleaseLock: createReleaseLock,
  AnnounceOutcome: createAnnounceOutcome,
  RecordCleanupWarnings: createRecordCleanupWarnings,
  RecordFailure: createRecordFailure,
  RestoreTraffic: createRestoreTraffic,
  DestroyGreen: createDestroyGreen,
  DiscardBake: createDiscardBake,
  RecordRollback: createRecordRollback,
} satisfies Record<string, (ports: Ports) => TaskHandler<unknown>>;

export type TaskFunctionName = keyof typeof taskFunctions;
