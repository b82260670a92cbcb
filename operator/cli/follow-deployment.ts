import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import type { DeploymentOutlook } from '../../core/operations/deployment-outlook.js';
import type { Operations, ServiceStatus, StepEvent } from '../../core/operations/operations.js';
import { progressLines } from '../../local/progress/progress-printer.js';
import type { CliContext } from './cli-context.js';

/** How often a followed deployment is looked at again. */
const FOLLOW_INTERVAL_MS = 500;

const clockTime = (at: Date | string | number) => new Date(at).toTimeString().slice(0, 8);

interface Followed {
  deploymentId: string;
  service: string;
  environment: string;
  version: string;
  greenFleetId: string;
}

type Teller = (d: Followed, outlook: DeploymentOutlook) => Promise<void>;

/**
 * What a person watching a deployment needs besides its steps, said once each, by the step event it follows:
 * where green answers before it takes traffic, the weights after each shift and how long they hold, how long
 * blue stays warm, and where the release answers once live; and who may approve and until when.
 */
function storyTeller(operations: Operations, say: (line: string) => void) {
  let shifts = 0;
  let approvalTold = false;
  const serving = async (d: Followed): Promise<ServiceStatus | undefined> =>
    (await operations.status({}).catch(() => undefined))?.services.find(
      (s) => s.service === d.service && s.environment === d.environment,
    );
  const weightsOf = (status: ServiceStatus, d: Followed) =>
    status.traffic
      .map((w) => `${w.fleetId === d.greenFleetId ? d.version : 'blue'} ${w.percent} %`)
      .join(', ');
  const tellers: Record<string, Teller> = {
    'StateExited LaunchGreen': async (d) => {
      const status = await serving(d);
      if (status?.previewUrl) say(`    green answers at ${status.previewUrl} (preview: no traffic yet)`);
    },
    'StateExited ShiftTraffic': async (d, outlook) => {
      const hold = outlook.trafficSteps?.[shifts]?.holdSeconds ?? 0;
      shifts += 1;
      const status = await serving(d);
      const until = hold ? `; holding ${hold} s, until ${clockTime(Date.now() + hold * 1000)}` : '';
      if (status) say(`    traffic: ${weightsOf(status, d)}${until}`);
    },
    'StateEntered WatchGreen': async (d, outlook) => {
      if (!outlook.keepBlueWarmSeconds) return;
      const until = clockTime(Date.now() + outlook.keepBlueWarmSeconds * 1000);
      say(
        `    blue kept warm until ${until}: \`bakeshift rollback ${d.service} --env ${d.environment}\` sends traffic back at once`,
      );
    },
    'ExecutionSucceeded ': async (d) => {
      const status = await serving(d);
      if (status?.url) say(`    live at ${status.url}`);
    },
  };
  return {
    onEvent: (event: StepEvent, d: Followed, outlook: DeploymentOutlook) =>
      tellers[`${event.type} ${event.state?.name ?? ''}`]?.(d, outlook),
    onOutlook(d: Followed, outlook: DeploymentOutlook) {
      const approval = outlook.approval;
      if (approvalTold || approval?.status !== 'pending') return;
      approvalTold = true;
      const slack = approval.slackChannel ? `, in Slack (${approval.slackChannel})` : '';
      say(
        `    waiting for approval by ${approval.approvers.join(' or ')} until ${clockTime(approval.expiresAt)}: ` +
          `\`bakeshift approve ${d.deploymentId}\` or \`bakeshift reject ${d.deploymentId}\`, in the console${slack}`,
      );
    },
  };
}

/** Where a followed deployment goes, when the caller knows it before the deployment's record can be read. */
export interface FollowedTarget {
  service: string;
  environment: string;
}

/** What Ctrl-C while following says: the deployment goes on without this terminal, and how to reach it. */
function detachedMessage(d: FollowedTarget | undefined, deploymentId: string): string {
  const where = d ? `${d.service} --env ${d.environment}` : '<service> --env <environment>';
  return [
    '',
    `stopped following; deployment ${deploymentId} continues in the control plane.`,
    `  follow it again:  bakeshift follow ${deploymentId}`,
    `  stop it:          bakeshift reject ${deploymentId}  (while it waits for approval)`,
    `  roll it back:     bakeshift rollback ${where}  (once it takes traffic)`,
    `  see it:           bakeshift status, bakeshift history ${d?.service ?? '<service>'}, bakeshift logs --deployment ${deploymentId}`,
  ].join('\n');
}

/** Ends following: the exit status says whether the deployment succeeded; a failure points to its instances' output. */
function ended(ctx: CliContext, deploymentId: string, record: DeploymentRecord | null) {
  if (ctx.flags.json) console.log(JSON.stringify(record));
  else if (record?.status !== 'succeeded')
    console.log(`  its instances' output: bakeshift logs --deployment ${deploymentId}`);
  process.exitCode = record?.status === 'succeeded' ? 0 : 1;
}

/**
 * Shows a deployment's steps as they end until it finishes; the exit status says whether it succeeded. Bounded
 * by the deployment itself: every Task of the state machine has its own timeout. Ctrl-C stops following, never
 * the deployment, and says how to reach it (exit 130).
 */
export async function followDeployment(
  ctx: CliContext,
  operations: Operations,
  deploymentId: string,
  label: string,
  target?: FollowedTarget,
): Promise<void> {
  const say = (line: string) => {
    if (!ctx.flags.json) console.log(line);
  };
  const show = progressLines(`  ${label}`, say);
  const story = storyTeller(operations, say);
  let followed: Followed | undefined;
  const interrupted = () => {
    console.error(detachedMessage(followed ?? target, deploymentId));
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    for (let seen = 0; ; await new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS))) {
      const current = await operations.deployment({ deploymentId });
      if (current.record) followed ??= { ...current.record, deploymentId };
      for (const event of current.events.slice(seen)) {
        show(event);
        if (followed) await story.onEvent(event, followed, current);
      }
      seen = current.events.length;
      if (followed) story.onOutlook(followed, current);
      if (current.status !== 'RUNNING') return ended(ctx, deploymentId, current.record);
    }
  } finally {
    process.removeListener('SIGINT', interrupted);
  }
}
