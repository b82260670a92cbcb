import { environmentOf } from '../../core/config/service-config.js';
import type { Clock } from '../../core/ports/clock.js';
import type { DeploymentStarter } from '../../core/ports/deployment-starter.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import { planRollback } from '../../core/releases/plan-rollback.js';
import type { SlackResponse } from './interactivity.js';
import { mentions } from './mention.js';
import { MAX_REQUEST_AGE_SECONDS, type SlackRequest, verifySlackRequest } from './verify-slack-request.js';

export interface SlashCommandDeps {
  store: ReleaseStore;
  configs: ServiceConfigs;
  starter: DeploymentStarter;
  clock: Clock;
  signingSecret: string;
}

const USAGE = 'Usage: /bakeshift status|history|rollback <service> [environment] [version]';
const reply = (text: string): SlackResponse => ({
  status: 200,
  body: JSON.stringify({ response_type: 'ephemeral', text }),
});

/**
 * Whether this signed request is new: remembered by its signature (an HMAC of its timestamp and body, which
 * carries Slack's unique trigger_id) for longer than Slack's signature window, so a replay within the window
 * starts nothing. A changed body or timestamp fails the signature instead.
 */
async function firstTimeSeen(request: SlackRequest, deps: SlashCommandDeps): Promise<boolean> {
  const signature = request.headers['x-slack-signature'] ?? request.headers['X-Slack-Signature'] ?? '';
  const now = deps.clock.now();
  const until = new Date(now.getTime() + 2 * MAX_REQUEST_AGE_SECONDS * 1000);
  return deps.store.rememberRequest(`slack:${signature}`, until, now);
}

/** `/bakeshift status|history|rollback`: signed like every Slack request; rollback only for its allowlist. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one reply per subcommand (status, history, rollback), each refusal worded for the person in Slack
export async function handleSlashCommand(
  request: SlackRequest,
  deps: SlashCommandDeps,
): Promise<SlackResponse> {
  const verified = verifySlackRequest(request, deps.signingSecret, deps.clock.now());
  if (!verified.ok) return { status: 401, body: verified.reason };
  const form = new URLSearchParams(request.rawBody);
  const [sub, service, environment = 'staging', version] = (form.get('text') ?? '').trim().split(/\s+/);
  // By user id only: user_name is a name its owner can change, not an identity (ADR 35).
  const userId = form.get('user_id') ?? '';
  if (!sub || !service) return reply(USAGE);
  let config: Awaited<ReturnType<ServiceConfigs['load']>>;
  try {
    config = await deps.configs.load(service);
  } catch (error) {
    return reply((error as Error).message);
  }

  switch (sub) {
    case 'status': {
      const lines = await Promise.all(
        Object.keys(config.config.environments).map(async (env) => {
          const live = await deps.store.getLiveRelease(service, env);
          const lock = await deps.store.lockHolder(service, env);
          return `• ${service}/${env}: ${live ? `${live.version} (${live.imageId}) since ${live.liveSince}` : 'nothing live'}${lock ? ` — deploying (${lock})` : ''}`;
        }),
      );
      return reply(lines.join('\n'));
    }
    case 'history': {
      const records = await deps.store.listDeployments(service, environment, 5);
      const lines = records.map(
        (r) =>
          `• ${r.requestedAt} ${r.version} ${r.status} (${r.trigger} by ${r.requestedBy})${r.failure ? ` — ${r.failure.step}: ${r.failure.cause}` : ''}`,
      );
      return reply(lines.length ? lines.join('\n') : `No deployments of ${service}/${environment} yet.`);
    }
    case 'rollback': {
      let allowed: string[];
      try {
        allowed = environmentOf(config.config, environment, config.source).slack?.rollbackAllowlist ?? [];
      } catch (error) {
        return reply((error as Error).message);
      }
      if (!userId || !allowed.includes(userId)) {
        return reply(
          `Only ${mentions(allowed) || 'nobody (no rollback allowlist is configured)'} may roll back ${service}/${environment}.`,
        );
      }
      if (!(await firstTimeSeen(request, deps)))
        return { status: 409, body: 'this request was received already (a replay): nothing was started' };
      try {
        const plan = await planRollback(deps, {
          service,
          environment,
          ...(version ? { toVersion: version } : {}),
          requestedBy: `slack:${userId}`,
        });
        if (plan.kind === 'traffic-shift') {
          return reply(
            `Rolling ${service}/${environment} back: deployment ${plan.deploymentId} returns traffic to the warm blue now.`,
          );
        }
        await deps.starter.start(plan.request);
        return reply(
          `Rolling ${service}/${environment} back to ${plan.target.version} (${plan.target.imageId}) by blue/green: deployment ${plan.request.deploymentId}.`,
        );
      } catch (error) {
        return reply((error as Error).message);
      }
    }
    default:
      return reply(USAGE);
  }
}
