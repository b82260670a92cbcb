import * as z from 'zod';
import type { DeploymentRecord } from '../core/deployment/deployment-record.js';
import { summarizeFailure } from '../core/deployment/describe-failure.js';
import { deploymentRef } from '../core/deployment/notify-quietly.js';
import { announceOnce } from '../core/deployment/once-per-deployment.js';
import { formatDurations, phaseDurations } from '../core/deployment/phase-durations.js';
import { restoreAndRecordFailed, TRAFFIC_IN_DOUBT } from '../core/deployment/traffic-in-doubt.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { LockOwner } from './release-lock.js';

const Input = LockOwner.extend({
  version: z.string().optional(),
  failed: z.record(z.string(), z.unknown()).optional(),
  compensationWarnings: z.record(z.string(), z.unknown()).optional(),
});
type Input = z.infer<typeof Input>;
/** The announcement's key in the record's `announced` (as announceOnce keys them). */
const IN_DOUBT_KEY = 'traffic_in_doubt';
type AnnouncePorts = Pick<Ports, 'notifier' | 'store' | 'clock' | 'traffic'>;

/** The listener's split now, in words, or why it could not be read. */
async function listenerNow(ports: AnnouncePorts, input: Input): Promise<string> {
  try {
    const { weights } = await ports.traffic.current(input);
    if (weights.length === 0) return 'the listener routes to no fleet';
    return `listener at ${weights.map((w) => `${w.fleetId} ${w.percent}%`).join(' / ')}`;
  } catch (error) {
    return `the listener could not be read (${(error as Error).message})`;
  }
}

/**
 * The last resort when RestoreTraffic and RecordRollback both failed for good: the listener may be split and
 * the record says compensating. Says so in the record if the store still takes writes, and out loud regardless.
 */
async function announceTrafficInDoubt(ports: AnnouncePorts, input: Input, rollbackRecorded: boolean) {
  // Once per deployment (a retry after the send repeats nothing); a record that cannot be read does not silence it.
  const before = await ports.store.getDeployment(input.deploymentId).catch(() => undefined);
  if (before?.announced?.includes(IN_DOUBT_KEY)) return { announced: true };
  const listener = await listenerNow(ports, input);
  // Recorded as rolled back, the record already says RestoreTraffic failed (status reads it as in doubt).
  const recorded = rollbackRecorded
    ? "the record says rolled back, with RestoreTraffic's failure"
    : await ports.store
        .updateDeployment(input.deploymentId, {
          addWarnings: [`${TRAFFIC_IN_DOUBT}: ${listener}; RestoreTraffic and RecordRollback failed`],
        })
        .then(
          () => 'recorded in the deployment, whose status still says compensating',
          () => 'the record could not be written (its status still says compensating)',
        );
  await ports.notifier.notify({
    kind: 'traffic_in_doubt',
    ...deploymentRef({ ...input, version: input.version ?? 'unknown' }),
    at: ports.clock.now().toISOString(),
    detail: `${TRAFFIC_IN_DOUBT}: ${listener}; ${recorded}. Check the listener, then deploy or roll back.`,
  });
  await ports.store
    .updateDeployment(input.deploymentId, { addAnnounced: [IN_DOUBT_KEY] })
    .catch(() => undefined);
  return { announced: true };
}

/** The outcome announcement: succeeded with per-phase durations, or rolled back with the cause. */
async function announceEnd(ports: AnnouncePorts, record: DeploymentRecord, succeeded: boolean) {
  const now = ports.clock.now();
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
}

/**
 * Announces how the deployment ended: succeeded, rolled back, or with its traffic in doubt: RestoreTraffic failed
 * for good (after the rollback's own announcement when RecordRollback wrote it, instead of it when not).
 */
export const createAnnounceOutcome = (ports: AnnouncePorts) =>
  defineTask(
    {
      name: 'AnnounceOutcome',
      input: Input,
      deploymentIdOf: (i) => i.deploymentId,
      endsDeployment: { store: ports.store, clock: ports.clock },
    },
    async (input) => {
      if (input.failed !== undefined && restoreAndRecordFailed(input.compensationWarnings))
        return announceTrafficInDoubt(ports, input, false);
      const record = await ports.store.getDeployment(input.deploymentId);
      if (!record) return { announced: false };
      await announceEnd(ports, record, input.failed === undefined);
      // Rolled back as recorded, but RestoreTraffic failed for good: green may still take traffic. Say so too.
      if (input.failed !== undefined && input.compensationWarnings?.RestoreTraffic !== undefined)
        await announceTrafficInDoubt(ports, input, true);
      return { announced: true };
    },
  );
