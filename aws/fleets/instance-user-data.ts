import { gzipSync } from 'node:zlib';
import { LaunchFailed } from '../../core/errors.js';
import { APP_LOG_FILE } from '../baker/builder-user-data.js';
import { environmentFile } from './environment-file.js';
import { type SecretToFetch, secretsFiles } from './instance-secrets.js';

export interface InstanceScript {
  /** The environment's variables, given at launch: nothing environment-specific is in the image. */
  variables: Record<string, string>;
  /** The environment's secrets, read on the instance at each start of the app: only their references are here. */
  secrets?: SecretToFetch[];
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

/** EC2's limit on user data, before its own base64 (EC2 API reference, RunInstances). */
export const USER_DATA_LIMIT = 16 * 1024;

/**
 * Writes one file from its bytes: base64 of its gzip, which has no quote, newline or heredoc word, so no value
 * (a variable, a log group name) can ever become shell text.
 */
const writeFile = (path: string, text: string) =>
  `echo '${gzipSync(text).toString('base64')}' | base64 -d | gzip -dc > ${path}`;

/**
 * The user data of a fleet instance: writes the environment (atomically: the app's unit starts only once it
 * exists) and, with secrets, what reads them at each start of the app; gives the app its drain time to stop,
 * points the CloudWatch agent at its log where the image has the agent, and starts the app. Every file is
 * written from base64 (`writeFile`): the script's text is the same whatever the values.
 */
export function instanceUserData(script: InstanceScript): string {
  const environment = environmentFile({ ...script.variables, PORT: String(script.port), HOST: '0.0.0.0' });
  const secrets = script.secrets?.length ? secretsFiles(script.secrets) : {};
  const text = `#!/bin/bash
set -euo pipefail
umask 077
mkdir -p /etc/bakeshift /etc/systemd/system/bakeshift-app.service.d
${writeFile('/etc/systemd/system/bakeshift-app.service.d/stop.conf', `[Service]\nTimeoutStopSec=${script.drainSeconds + 30}\n`)}
${Object.entries(secrets)
  .map(([path, content]) => `${writeFile(path, content)}\n`)
  .join('')}if [ -x ${AGENT_CTL} ]; then
  ${writeFile(AGENT_CONFIG, JSON.stringify(cloudWatchAgentConfig(script.logGroup), null, 2))}
  # Logs that cannot be shipped must not keep the app from starting.
  ${AGENT_CTL} -a fetch-config -m ec2 -s -c file:${AGENT_CONFIG} || echo "the CloudWatch agent did not start"
fi
${writeFile('/etc/bakeshift/app.env.partial', environment)}
mv /etc/bakeshift/app.env.partial /etc/bakeshift/app.env
systemctl daemon-reload
systemctl restart bakeshift-app.service
`;
  if (Buffer.byteLength(text) > USER_DATA_LIMIT)
    throw new LaunchFailed(
      `the instance user data would be ${Buffer.byteLength(text)} bytes, over EC2's ${USER_DATA_LIMIT}: the variables are too large (put large values in secrets)`,
    );
  return Buffer.from(text).toString('base64');
}
