import { APP_LOG_FILE } from '../baker/builder-user-data.js';
import { shellQuote } from '../commons/shell-quote.js';

export interface InstanceScript {
  /** The environment's variables, given at launch: nothing environment-specific is in the image. */
  variables: Record<string, string>;
  port: number;
  /** The deregistration delay: the app gets this long, and a margin, to finish in-flight requests on stop. */
  drainSeconds: number;
  /** Where the app's output goes: the service+environment's CloudWatch Logs group (created by the CDK app). */
  logGroup: string;
}

const AGENT_CTL = '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl';
const AGENT_CONFIG = '/opt/aws/amazon-cloudwatch-agent/etc/bakeshift.json';

/**
 * The CloudWatch agent's configuration: the app's log file to the environment's group, one stream per
 * instance (the agent fills `{instance_id}`). The group and its retention belong to the CDK app.
 */
export function cloudWatchAgentConfig(logGroup: string) {
  return {
    agent: { run_as_user: 'root' },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            { file_path: APP_LOG_FILE, log_group_name: logGroup, log_stream_name: '{instance_id}' },
          ],
        },
      },
    },
  };
}

/**
 * The user data of a fleet instance: writes the environment (atomically: the app's unit starts only once it
 * exists), gives the app its drain time to stop, points the CloudWatch agent at its log where the image has the
 * agent, and starts the app.
 */
export function instanceUserData(script: InstanceScript): string {
  const lines = Object.entries({ ...script.variables, PORT: String(script.port), HOST: '0.0.0.0' }).map(
    ([key, value]) => `${key}=${shellQuote(value)}`,
  );
  const text = `#!/bin/bash
set -euo pipefail
umask 077
mkdir -p /etc/bakeshift /etc/systemd/system/bakeshift-app.service.d
cat > /etc/bakeshift/app.env.partial <<'ENV'
${lines.join('\n')}
ENV
mv /etc/bakeshift/app.env.partial /etc/bakeshift/app.env
cat > /etc/systemd/system/bakeshift-app.service.d/stop.conf <<'UNIT'
[Service]
TimeoutStopSec=${script.drainSeconds + 30}
UNIT
if [ -x ${AGENT_CTL} ]; then
  cat > ${AGENT_CONFIG} <<'AGENT'
${JSON.stringify(cloudWatchAgentConfig(script.logGroup), null, 2)}
AGENT
  # Logs that cannot be shipped must not keep the app from starting.
  ${AGENT_CTL} -a fetch-config -m ec2 -s -c file:${AGENT_CONFIG} || echo "the CloudWatch agent did not start"
fi
systemctl daemon-reload
systemctl restart bakeshift-app.service
`;
  return Buffer.from(text).toString('base64');
}
