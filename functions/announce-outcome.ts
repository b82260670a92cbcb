import * as z from 'zod';
import { summarizeFailure } from '../core/deployment/describe-failure.js';
import { deploymentRef } from '../core/deployment/notify-quietly.js';
import { announceOnce } from '../core/deployment/once-per-deployment.js';
import { formatDurations, phaseDurations } from '../core/deployment/phase-durations.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { LockOwner } from './release-lock.js';

/** Announces how the deployment ended: succeeded with per-phase durations, or rolled back with the cause. */
export const createAnnounceOutcome = (ports: Pick<Ports, 'notifier' | 'store' | 'clock'>) =>
  defineTask(
    {
      name: 'AnnounceOutcome',
      input: LockOwner.extend({ failed: z.record(z.string(), z.unknown()).optional() }),
      deploymentIdOf: (i) => i.deploymentId,
      endsDeployment: { store: ports.store, clock: ports.clock },
    },
    async ({ deploymentId, failed }) => {
      const record = await ports.store.getDeployment(deploymentId);
      if (!record) return { announced: false };
      const now = ports.clock.now();
      const succeeded = failed === undefined;
      const detail = succeeded
        ? formatDurations(phaseDurations(record, now))
        : record.failure
          ? summarizeFailure(record.failure)
          : 'the failure could not be recorded';
      const kind = succeeded ? 'succeeded' : 'rolled_back';
      await announceOnce(ports, kind).notify({
        kind,
        ...deploymentRef(record),
        ...(record.imageId ? { imageId: record.imageId } : {}),
        at: now.toISOString(),
        detail,
      });
      return { announced: true };
    },
  );
