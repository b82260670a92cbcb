import * as z from 'zod';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';

/** Needs only the request's own fields: it also runs when Prepare failed before planning anything. */
export const LockOwner = z.object({ deploymentId: z.string(), service: z.string(), environment: z.string() });

/** Releases the service+environment lock if this deployment holds it (a conditional delete; idempotent). */
export const createReleaseLock = (ports: Pick<Ports, 'store'>) =>
  defineTask(
    { name: 'ReleaseLock', input: LockOwner, deploymentIdOf: (i) => i.deploymentId },
    async (owner) => {
      await ports.store.releaseLock(owner.service, owner.environment, owner.deploymentId);
      return { released: true };
    },
  );
