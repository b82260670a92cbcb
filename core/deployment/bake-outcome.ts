import { BakeFailed } from '../errors.js';
import type { BakeStatus } from '../ports/image-baker.js';
import type { TaskCallbacks } from '../ports/task-callbacks.js';

/** What the Bake Task resumes with (its ResultPath is `$.image`). */
export interface BakeOutcome {
  imageId: string;
  bakeKey: string;
  reused: boolean;
}

/**
 * Resumes the waiting Bake Task with a finished bake's outcome. Every baker adapter calls this, so the shape the
 * state machine receives does not depend on where the image was baked. Does nothing while the bake runs.
 */
export async function deliverBakeOutcome(
  callbacks: TaskCallbacks,
  taskToken: string,
  bakeKey: string,
  status: BakeStatus,
): Promise<void> {
  switch (status.state) {
    case 'succeeded':
      await callbacks.succeed(taskToken, { imageId: status.image.imageId, bakeKey, reused: false });
      return;
    case 'failed':
      await callbacks.fail(taskToken, BakeFailed.errorName, status.reason);
      return;
    case 'cancelled':
    case 'unknown':
      await callbacks.fail(
        taskToken,
        BakeFailed.errorName,
        `the bake was ${status.state === 'cancelled' ? 'cancelled' : 'lost'}`,
      );
      return;
    case 'baking':
      return;
  }
}
