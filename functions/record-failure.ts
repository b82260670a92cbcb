import * as z from 'zod';
import { DeploymentRequest } from '../core/deployment/deployment-request.js';
import { describeFailure, summarizeFailure } from '../core/deployment/describe-failure.js';
import { greenFleetIdOf } from '../core/deployment/resource-names.js';
import { InvalidInput, Superseded } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import { CaughtError } from './commons/flow-state.js';

/**
 * First step of compensation: record which step failed and why, before undoing anything, so the record tells
 * the truth even if compensation is interrupted. Creates the record when Prepare failed before writing it.
 */
export const createRecordFailure = (ports: Pick<Ports, 'store' | 'clock'>) =>
  defineTask(
    {
      name: 'RecordFailure',
      input: DeploymentRequest.and(z.object({ failed: z.record(z.string(), CaughtError) })),
      deploymentIdOf: (i) => i.deploymentId,
    },
    async ({ failed, ...request }, { log }) => {
      const [entry] = Object.entries(failed);
      if (!entry) throw new InvalidInput('RecordFailure input: $.failed names no step');
      const failure = describeFailure(...entry);
      const now = ports.clock.now().toISOString();
      await ports.store.createDeployment({
        deploymentId: request.deploymentId,
        service: request.service,
        environment: request.environment,
        trigger: request.trigger,
        version: request.version,
        requestedBy: request.requestedBy,
        requestedAt: request.requestedAt,
        ...(request.artifact ? { artifact: request.artifact } : {}),
        status: 'in_progress',
        greenFleetId: greenFleetIdOf(request.deploymentId),
        phases: {},
        warnings: [],
      });
      await ports.store.updateDeployment(request.deploymentId, {
        status: 'compensating',
        failure,
        phases: { compensate: now },
      });
      log.warn('compensating', { failure });
      return {
        ...failure,
        summary: summarizeFailure(failure),
        outcome: failure.error === Superseded.errorName ? 'superseded' : 'rolled_back',
      };
    },
  );
