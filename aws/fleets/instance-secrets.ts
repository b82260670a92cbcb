import { parseSecretReference } from '../../core/config/secret-reference.js';
import { APP_LOG_FILE } from '../baker/builder-user-data.js';
import { FETCH_SECRETS_PY } from './fetch-secrets-script.js';

/** One secret as fetch-secrets.py reads it: which variable, from which service, region and endpoint. */
export interface SecretToFetch {
  name: string;
  service: 'ssm' | 'secretsmanager';
  id: string;
  region: string;
  endpoint: string;
}

export const SECRETS_SPEC_FILE = '/etc/bakeshift/secrets.json';
export const SECRETS_ENV_FILE = '/run/bakeshift/secrets.env';
const FETCHER = '/etc/bakeshift/fetch-secrets.py';

/** The environment's secrets as data for the instance: a parameter named without an ARN is in `region`. */
export function secretsToFetch(secrets: Record<string, string>, region: string): SecretToFetch[] {
  return Object.entries(secrets).map(([name, text]) => {
    const reference = parseSecretReference(text);
    if (!reference) throw new Error(`secrets.${name}: ${text} is no secret reference`);
    const at = reference.region ?? region;
    const domain = at.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return {
      name,
      service: reference.service,
      id: reference.id,
      region: at,
      endpoint: `https://${reference.service}.${at}.${domain}`,
    };
  });
}

/**
 * The files that give the app its secrets at each start: the fetcher, its spec, its own unit (root, none of the
 * app's environment, bounded), and a drop-in making each start of the app run it first and read what it wrote. A
 * secret that cannot be read keeps the app from starting, the reason in the app's log, and the app is started
 * again (every 2 s, with a fresh fetch) until it can be read.
 */
export function secretsFiles(secrets: SecretToFetch[]): Record<string, string> {
  return {
    [FETCHER]: FETCH_SECRETS_PY,
    [SECRETS_SPEC_FILE]: JSON.stringify({ secrets }),
    '/etc/systemd/system/bakeshift-secrets.service': `[Unit]
Description=bakeshift: the app's secrets, read with the instance role before each start of the app
StartLimitIntervalSec=0
[Service]
Type=oneshot
ExecStart=/usr/bin/python3 -I ${FETCHER} ${SECRETS_SPEC_FILE} ${SECRETS_ENV_FILE}
TimeoutStartSec=180
StandardOutput=append:${APP_LOG_FILE}
StandardError=append:${APP_LOG_FILE}
`,
    // Wants, not Requires: a failed fetch leaves no file, so the app's own start fails (systemd cannot load its
    // EnvironmentFile) and Restart=always retries it, each retry fetching again; a failed Requires= dependency is
    // never restarted. No start limit ends that. Nothing here runs as root with the app's environment.
    '/etc/systemd/system/bakeshift-app.service.d/secrets.conf': `[Unit]
Wants=bakeshift-secrets.service
After=bakeshift-secrets.service
StartLimitIntervalSec=0
[Service]
EnvironmentFile=${SECRETS_ENV_FILE}
`,
  };
}
