import { describeDiagnosis, describeHealth, isFullyHealthy } from '../core/deployment/fleet-health.js';
import { HealthCheckFailed, HealthPending } from '../core/errors.js';
import type { Ports } from '../core/ports/index.js';
import type { FleetDiagnosis, FleetTarget } from '../core/ports/instance-diagnostics.js';
import { defineTask, type TaskTools } from './commons/define-task.js';
import { WithGreen } from './commons/flow-state.js';

type Deps = Pick<Ports, 'health' | 'store' | 'clock' | 'diagnostics'>;

/** A diagnosis explains a failure; it never causes one (its reads may fail: the failure is reported anyway). */
async function quietly<T>(read: () => Promise<T>, tools: TaskTools): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    tools.log.info('no diagnosis of green', { error: (error as Error).message });
    return undefined;
  }
}

/**
 * One health check of green. Not ready yet: HealthPending, which the ASL retries (a bounded poll: target health
 * has no event). HealthCheckFailed, with every target's state and what green's instances said (how they exited,
 * their last output, what the health path answers) in the cause: past the configured deadline, or at once when
 * green can never become healthy (its instances keep exiting and are no longer replaced).
 */
export const createAwaitGreenHealthy = (ports: Deps) =>
  defineTask(
    {
      name: 'AwaitGreenHealthy',
      input: WithGreen,
      deploymentIdOf: (i) => i.deploymentId,
      phase: { phase: 'health', store: ports.store, clock: ports.clock },
    },
    async ({ plan, green }, tools) => {
      const target: FleetTarget = {
        service: plan.service,
        environment: plan.environment,
        fleetId: green.fleetId,
      };
      const health = await ports.health.check(target);
      const desired = green.capacity.desired;
      if (isFullyHealthy(health, desired)) return { healthy: health.healthy, total: health.total };
      const { deadlineSeconds } = plan.settings.healthCheck;
      const hopeless = await quietly(() => ports.diagnostics.hopeless(target), tools);
      const waited = (ports.clock.now().getTime() - Date.parse(green.launchedAt)) / 1000;
      if (!hopeless && waited < deadlineSeconds) throw new HealthPending(describeHealth(health, desired));
      const diagnosis: FleetDiagnosis | undefined = await quietly(
        () => ports.diagnostics.diagnose(target),
        tools,
      );
      const why = hopeless
        ? `green cannot become healthy: ${hopeless}`
        : `green not healthy within ${deadlineSeconds}s: ${describeHealth(health, desired)}`;
      const healthPath = green.healthPath ?? plan.settings.healthCheck.path;
      const detail = describeDiagnosis(diagnosis, healthPath);
      throw new HealthCheckFailed(detail ? `${why}\n  ${detail}` : why);
    },
  );
