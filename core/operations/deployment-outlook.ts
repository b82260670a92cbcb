import type { DeploymentRecord } from '../deployment/deployment-record.js';
import { type TrafficStep, trafficSteps } from '../deployment/traffic-plan.js';
import type { ReleaseStore } from '../ports/release-store.js';
import type { ServiceConfigs } from '../ports/service-configs.js';

/** What a person following a deployment needs besides its steps: its traffic steps, blue's warm time, the approval. */
export interface DeploymentOutlook {
  /** The environment's traffic steps as configured now (percent to green, hold after it). */
  trafficSteps?: TrafficStep[];
  keepBlueWarmSeconds?: number;
  /** The approval it asked for: who may decide, until when, and where besides the CLI and the console. */
  approval?: { approvers: string[]; expiresAt: string; status: string; slackChannel?: string };
}

/** A deployment's outlook, from its environment's configuration and its approval ticket; what cannot be read is left out. */
export async function deploymentOutlook(
  deps: { configs: ServiceConfigs; store: ReleaseStore },
  record: DeploymentRecord | null,
): Promise<DeploymentOutlook> {
  if (!record) return {};
  const environment = await deps.configs
    .load(record.service)
    .then(({ config }) => config.environments[record.environment])
    .catch(() => undefined);
  const ticket = record.phases.approval ? await deps.store.approvalOf(record.deploymentId) : undefined;
  return {
    ...(environment
      ? {
          trafficSteps: trafficSteps(environment.traffic),
          keepBlueWarmSeconds: environment.keepBlueWarmSeconds,
        }
      : {}),
    ...(ticket
      ? {
          approval: {
            approvers: ticket.approvers,
            expiresAt: ticket.expiresAt,
            status: ticket.status,
            ...(ticket.context.channel ? { slackChannel: ticket.context.channel } : {}),
          },
        }
      : {}),
  };
}
