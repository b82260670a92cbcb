import { environmentOf } from '../core/config/service-config.js';
import { TERMINAL_STATUSES } from '../core/deployment/deployment-record.js';
import { DeploymentRequest } from '../core/deployment/deployment-request.js';
import { greenFleetIdOf } from '../core/deployment/resource-names.js';
import { trafficSteps } from '../core/deployment/traffic-plan.js';
import { ConfigInvalid, DeploymentAlreadyExists, LockHeld, LockTimeout, Superseded } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import { defineTask } from './commons/define-task.js';
import type { Plan } from './commons/flow-state.js';
import { deploymentRef, notifyQuietly } from './commons/notify-quietly.js';

/** Validates the request, loads config, takes the lock (latest request wins), resolves blue and plans. */
export const createPrepareDeployment = (ports: Pick<Ports, 'configs' | 'store' | 'notifier' | 'clock'>) =>
  defineTask(
    { name: 'PrepareDeployment', input: DeploymentRequest, deploymentIdOf: (r) => r.deploymentId },
    async (request, { log }): Promise<Plan> => {
      const { config, source } = await ports.configs.load(request.service);
      if (config.service !== request.service) {
        throw new ConfigInvalid(`${source}: service: is "${config.service}", expected "${request.service}"`);
      }
      const env = environmentOf(config, request.environment, source);
      const now = ports.clock.now();
      const greenFleetId = greenFleetIdOf(request.deploymentId);

      const { created, record } = await ports.store.createDeployment({
        ...request,
        status: 'in_progress',
        greenFleetId,
        phases: { prepare: now.toISOString() },
        warnings: [],
      });
      if (!created && TERMINAL_STATUSES.includes(record.status)) {
        throw new DeploymentAlreadyExists(
          `deployment ${request.deploymentId} already ended ${record.status}`,
        );
      }
      if (created) {
        await notifyQuietly(
          ports.notifier,
          {
            kind: 'started',
            ...deploymentRef(request),
            at: now.toISOString(),
            detail: `${request.trigger} by ${request.requestedBy}`,
          },
          log,
        );
      }

      const lock = await ports.store.acquireLock(request);
      if (lock.outcome === 'superseded') {
        throw new Superseded(
          `a newer request (${lock.by}) for ${request.service}/${request.environment} replaced this one`,
        );
      }
      if (lock.outcome === 'held') {
        const waitedSeconds = (now.getTime() - Date.parse(request.requestedAt)) / 1000;
        if (waitedSeconds >= config.lockWaitSeconds) {
          throw new LockTimeout(
            `${lock.holder} still holds ${request.service}/${request.environment} after ${config.lockWaitSeconds}s`,
          );
        }
        log.info('waiting for the lock', { holder: lock.holder });
        throw new LockHeld(`${lock.holder} is deploying ${request.service}/${request.environment}`);
      }

      // Blue is resolved under the lock: what is live cannot change until this deployment ends.
      const live = await ports.store.getLiveRelease(request.service, request.environment);
      if (live)
        await ports.store.updateDeployment(request.deploymentId, { previousRelease: live, blue: live });
      const approval =
        env.approval.required && !env.approval.exemptTriggers.includes(request.trigger) ? env.approval : null;
      log.info('planned', { blue: live?.version ?? null, approval: approval !== null });
      return {
        deploymentId: request.deploymentId,
        service: request.service,
        environment: request.environment,
        version: request.version,
        trigger: request.trigger,
        needsBake: request.imageId === undefined,
        hasBlue: live !== undefined,
        approvalRequired: approval !== null,
        ...(request.imageId ? { imageId: request.imageId } : {}),
        greenFleetId,
        blue: live
          ? { fleetId: live.fleetId, imageId: live.imageId, version: live.version, capacity: live.capacity }
          : null,
        settings: {
          capacity: env.capacity,
          variables: env.variables,
          trafficSteps: trafficSteps(env.traffic),
          healthCheck: env.healthCheck,
          keepBlueWarmSeconds: live ? env.keepBlueWarmSeconds : 0,
          drainSeconds: env.drainSeconds,
          approval: approval
            ? { approvers: approval.approvers, timeoutSeconds: approval.timeoutSeconds }
            : null,
          ...(env.slack ? { slackChannel: env.slack.channel } : {}),
          bake: config.bake,
          retainImages: config.retention.images,
        },
      };
    },
  );
