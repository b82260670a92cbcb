import type { DeploymentEvent, DeploymentEventKind, Notifier } from '../../core/ports/notifier.js';
import { type SlackClientSource, slackClientOf } from './slack-client-source.js';
import { slackText } from './slack-text.js';

const ICONS: Record<DeploymentEventKind, string> = {
  started: '🚀',
  approval_requested: '🙋',
  approved: '✅',
  rejected: '❌',
  traffic_shifted: '🔀',
  succeeded: '🎉',
  rolled_back: '↩️',
  congruence_report: '🔎',
  analysis_verdict: '📊',
  lock_taken_over: '🔓',
  frozen: '🧊',
  unfrozen: '🌤️',
  freeze_overridden: '⚠️',
  traffic_in_doubt: '🚨',
};

/**
 * Tells each service+environment's Slack channel how its deployments go. Approval requests are their own
 * message (SlackApprovalChannel). The Web API client retries; a failure is the caller's to log, never to fail on.
 */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly slack: SlackClientSource,
    private readonly channelOf: (service: string, environment: string) => Promise<string | undefined>,
  ) {}

  async notify(event: DeploymentEvent): Promise<void> {
    if (event.kind === 'approval_requested') return;
    const channel = await this.channelOf(event.service, event.environment);
    if (!channel) return;
    const text = slackText(
      `${event.service}${event.version ? ` ${event.version}` : ''} → ${event.environment}: ${event.kind.replaceAll('_', ' ')}${event.detail ? ` (${event.detail})` : ''}`,
    );
    await (await slackClientOf(this.slack)).chat.postMessage({
      channel,
      text: `${ICONS[event.kind]} ${text}`,
    });
  }
}
