import * as z from 'zod';
import { describeFailure, summarizeFailure } from '../core/deployment/describe-failure.js';
import { unrecordedWarnings } from '../core/deployment/once-per-deployment.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { CaughtError } from './commons/flow-state.js';
import { LockOwner } from './release-lock.js';

/**
 * The deployment succeeded, but a step after the commit point failed: record what was left behind for the
 * janitor, and make sure the lock is free even if ReleaseLock was the step that failed.
 */
export const createRecordCleanupWarnings = (ports: Pick<Ports, 'store'>) =>
  defineTask(
    {
      name: 'RecordCleanupWarnings',
      input: LockOwner.extend({ cleanupWarnings: z.record(z.string(), CaughtError) }),
      deploymentIdOf: (i) => i.deploymentId,
    },
    async ({ deploymentId, service, environment, cleanupWarnings }, { log }) => {
      const warnings = Object.entries(cleanupWarnings).map(
        ([step, caught]) =>
          `cleanup: ${summarizeFailure(describeFailure(step, caught))}; left for the janitor`,
      );
      const record = await ports.store.getDeployment(deploymentId);
      await ports.store.updateDeployment(deploymentId, { addWarnings: unrecordedWarnings(record, warnings) });
      await ports.store.releaseLock(service, environment, deploymentId);
      log.warn('deployment succeeded with cleanup warnings', { warnings });
      return { warnings };
    },
  );
