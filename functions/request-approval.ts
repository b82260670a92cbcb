import * as z from 'zod';
import { requestApproval } from '../core/approvals/request-approval.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { callbackPayload, WithGreen } from './commons/flow-state.js';

const Input = callbackPayload(WithGreen.extend({ requestedBy: z.string() }));

/** The approval gate (a callback): opens a ticket and asks, or follows it on each re-arm of the wait. */
export const createRequestApproval = (
  ports: Pick<Ports, 'store' | 'approvals' | 'notifier' | 'callbacks' | 'clock'>,
) =>
  defineTask(
    {
      name: 'RequestApproval',
      input: Input,
      deploymentIdOf: (i) => i.state.deploymentId,
      phase: { phase: 'approval', store: ports.store, clock: ports.clock },
    },
    ({ state, taskToken }, { log }) =>
      requestApproval(
        ports,
        { plan: state.plan, green: state.green, requestedBy: state.requestedBy, taskToken },
        log,
      ),
  );
