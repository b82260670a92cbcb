import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What every command takes. */
export const COMMON_OPTIONS = {
  home: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
  target: { type: 'string' },
  region: { type: 'string' },
} as const satisfies Options;

/** What the common options mean, shown under every command's help. */
export const COMMON_HELP: Record<string, string> = {
  target:
    "local (the home's control plane) or aws (the stack in --region, with your AWS credentials); default: the saved target",
  region: "the AWS region of the bakeshift stack (default: your AWS configuration's)",
};

export interface CommandSpec {
  name: string;
  /** One line for `bakeshift --help`. */
  summary: string;
  /** Positional arguments, as shown in usage. */
  args: string;
  options: Options;
  /** Each option's meaning, for `bakeshift <command> --help`. */
  optionHelp: Record<string, string>;
  example: string;
}

const env = { env: { type: 'string', default: 'staging' } } as const satisfies Options;
const ENV_HELP = { env: 'the environment (default staging)' };

/** `approve` and `reject`: the same arguments and option, the other decision. */
function decision(name: 'approve' | 'reject', summary: string, asHelp: string): CommandSpec {
  return {
    name,
    summary,
    args: '<deploymentId>',
    options: { as: { type: 'string' } },
    optionHelp: { as: asHelp },
    example: `bakeshift ${name} my-app-prod-0123456789abcdef`,
  };
}

/** Every command of the local CLI: its arguments, options and an example. One table, read by help and parsing. */
export const COMMANDS: CommandSpec[] = [
  {
    name: 'init',
    summary: 'write bakeshift.json and a service configuration for an app',
    args: '[dir]',
    options: {
      start: { type: 'string' },
      'health-path': { type: 'string' },
      service: { type: 'string' },
      services: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    optionHelp: {
      start: "the command that starts the app (default: package.json's start script, or its main file)",
      'health-path':
        'the path that answers 200 when the app is healthy (default: found by starting the app once)',
      service: "the service's name (default: package.json's name, or the directory's)",
      services: 'where service configurations live (default <home>/services)',
      force: 'overwrite files that exist',
    },
    example: 'bakeshift init ./my-app',
  },
  {
    name: 'up',
    summary: 'start the control plane (stays in the foreground)',
    args: '',
    options: {
      'api-port': { type: 'string' },
      services: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      as: { type: 'string' },
    },
    optionHelp: {
      as: "the name approvals are made as, bound to this control plane's token (default: your operating-system user)",
      'api-port': "the local API's port (default: any free one)",
      services: 'where service configurations live (default <home>/services)',
      verbose: 'also print the structured logs (always in <home>/logs/control-plane.jsonl)',
      'log-level': 'the structured logs’ level (DEBUG, INFO, WARN, ERROR; default INFO); implies --verbose',
    },
    example: 'bakeshift up --api-port 7000',
  },
  {
    name: 'deploy',
    summary: 'deploy an artifact (a .tgz, or a directory packed for you) by blue/green, following it live',
    args: '<service> <artifact.tgz|dir>',
    options: {
      ...env,
      version: { type: 'string' },
      'no-follow': { type: 'boolean', default: false },
      'force-new-version': { type: 'boolean', default: false },
      'override-freeze': { type: 'boolean', default: false },
      reason: { type: 'string' },
    },
    optionHelp: {
      ...ENV_HELP,
      version:
        "the release's version (default: bakeshift.json's or package.json's version, else a content digest)",
      'no-follow': 'return once the deployment has started',
      'force-new-version':
        'deploy other content under a version deployed before (refused otherwise; the same content is "already live")',
      'override-freeze':
        'deploy during a freeze, as an approver (your authenticated identity, recorded and announced); needs --reason',
      reason: 'why the deployment cannot wait for the freeze to end (with --override-freeze)',
    },
    example: 'bakeshift deploy my-app ./my-app --env staging',
  },
  {
    name: 'status',
    summary: 'live releases, locks and listeners',
    args: '',
    options: {},
    optionHelp: {},
    example: 'bakeshift status --json',
  },
  {
    name: 'history',
    summary: 'past deployments with phases, who asked and approved, causes',
    args: '<service>',
    options: { ...env },
    optionHelp: ENV_HELP,
    example: 'bakeshift history my-app --env staging',
  },
  {
    name: 'logs',
    summary: "the instances' output: a service's, or one deployment's (filtered by instance, stream, time)",
    args: '[service]',
    options: {
      lines: { type: 'string', default: '50' },
      ...env,
      deployment: { type: 'string' },
      instance: { type: 'string' },
      stream: { type: 'string' },
      since: { type: 'string' },
      follow: { type: 'boolean', default: false },
    },
    optionHelp: {
      lines: 'how many of the last lines (default 50, at most 1000)',
      ...ENV_HELP,
      deployment: "only this deployment's instances (a failed one's say why it failed); no service needed",
      instance: 'only this instance (i-…)',
      stream: 'stdout, stderr or lifecycle (started, exited, replaced)',
      since: 'only lines since a time (ISO 8601) or for a while (90s, 10m, 2h, 1d)',
      follow: 'keep printing new lines until interrupted',
    },
    example: 'bakeshift logs --deployment my-app-staging-0123456789abcdef --stream stderr',
  },
  decision(
    'approve',
    'approve a deployment waiting for a decision',
    "refused unless it is the name this control plane's token is bound to (`up --as`, else your user)",
  ),
  decision(
    'reject',
    'reject a deployment waiting for a decision (it rolls back)',
    "refused unless it is the name this control plane's token is bound to (`up --as`, else your user)",
  ),
  {
    name: 'console',
    summary: 'the web console: services, live deployments, approvals, history (on 127.0.0.1)',
    args: '',
    options: { port: { type: 'string' } },
    optionHelp: { port: 'the port to serve on (default: any free one)' },
    example: 'bakeshift console --target aws --region eu-west-1',
  },
  {
    name: 'follow',
    summary: "follow a deployment's steps to its end (exit 1 if it rolls back)",
    args: '<deploymentId>',
    options: {},
    optionHelp: {},
    example: 'bakeshift follow web-prod-0123456789abcdef',
  },
  {
    name: 'target',
    summary: "choose where commands go from now on: this home's control plane, or AWS",
    args: '<local|aws>',
    options: {},
    optionHelp: {},
    example: 'bakeshift target aws --region eu-west-1',
  },
  {
    name: 'events',
    summary: 'deployment events: started, approvals, shifted, outcomes',
    args: '',
    options: { follow: { type: 'boolean', default: false } },
    optionHelp: {
      follow: 'keep printing new events until interrupted (with --json: one JSON line per event)',
    },
    example: 'bakeshift events --follow',
  },
  {
    name: 'congruence',
    summary: 'rebuild what is live now, as the nightly run does',
    args: '<service>',
    options: { ...env },
    optionHelp: ENV_HELP,
    example: 'bakeshift congruence my-app --env prod',
  },
  {
    name: 'promote',
    summary: 'deploy the exact image live in one environment to another',
    args: '<service>',
    options: { from: { type: 'string' }, to: { type: 'string' } },
    optionHelp: { from: 'the environment whose live image is promoted', to: 'the environment it goes to' },
    example: 'bakeshift promote my-app --from staging --to prod',
  },
  {
    name: 'rollback',
    summary: 'back to the previous release (a traffic switch while blue is warm, else a redeploy)',
    args: '<service>',
    options: { ...env, to: { type: 'string' }, 'no-follow': { type: 'boolean', default: false } },
    optionHelp: {
      ...ENV_HELP,
      to: 'the version to go back to (default: the previous release)',
      'no-follow': 'with a redeploy: return once it has started',
    },
    example: 'bakeshift rollback my-app --env staging',
  },
  {
    name: 'freeze',
    summary: 'stop deployments (all but rollbacks) to a service, an environment or everything until a time',
    args: '',
    options: {
      service: { type: 'string' },
      env: { type: 'string' },
      until: { type: 'string' },
      reason: { type: 'string' },
    },
    optionHelp: {
      service: 'only this service (default: every service)',
      env: 'only this environment (default: every environment)',
      until: 'when the freeze ends (ISO 8601, e.g. 2026-12-27T09:00:00+01:00) or for how long (12h, 3d)',
      reason: 'why: shown to whoever is refused, kept with your identity',
    },
    example: 'bakeshift freeze --env prod --until 2026-12-27T09:00:00+01:00 --reason "holiday sales"',
  },
  {
    name: 'unfreeze',
    summary: 'lift a freeze (give the same --service and --env as the freeze)',
    args: '',
    options: { service: { type: 'string' }, env: { type: 'string' } },
    optionHelp: { service: "the freeze's service (default: every service)", env: "the freeze's environment" },
    example: 'bakeshift unfreeze --env prod',
  },
  {
    name: 'freezes',
    summary: 'the freezes in force: scope, end, who and why',
    args: '',
    options: {},
    optionHelp: {},
    example: 'bakeshift freezes --json',
  },
  {
    name: 'stats',
    summary: 'delivery figures: deployment frequency, lead time, change failure rate, time to restore',
    args: '[service]',
    options: { since: { type: 'string' } },
    optionHelp: {
      since: 'the period’s start: a time (ISO 8601 with its offset) or how long ago (7d, 12h); default 30d',
    },
    example: 'bakeshift stats my-app --since 7d --json',
  },
  {
    name: 'janitor',
    summary: 'remove what no release, deployment or rollback needs',
    args: '',
    options: { 'dry-run': { type: 'boolean', default: false } },
    optionHelp: { 'dry-run': 'say what would be removed, remove nothing' },
    example: 'bakeshift janitor --dry-run',
  },
];

export const commandNamed = (name: string) => COMMANDS.find((c) => c.name === name);

export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.args}`.length));
  return [
    'bakeshift: deploy immutable releases, blue/green, on this machine',
    '',
    ...COMMANDS.map((c) => `  bakeshift ${`${c.name} ${c.args}`.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (one JSON document), --home DIR (default $BAKESHIFT_HOME or ./.bakeshift) and',
    '--help (its options and an example); the operator commands also --target local|aws and --region R.',
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const flag = (name: string) => {
    const option = command.options[name];
    return `--${name}${option?.type === 'string' ? ' VALUE' : ''}`;
  };
  const names = Object.keys(command.options);
  const width = Math.max(0, ...names.map((n) => flag(n).length));
  return [
    `bakeshift ${command.name} ${command.args}`.trimEnd(),
    `  ${command.summary}`,
    '',
    ...(names.length
      ? ['Options:', ...names.map((n) => `  ${flag(n).padEnd(width)}  ${command.optionHelp[n] ?? ''}`)]
      : []),
    '  --json, --home DIR, --help',
    `  --target local|aws  ${COMMON_HELP.target}`,
    `  --region R          ${COMMON_HELP.region}`,
    '',
    `Example: ${command.example}`,
  ].join('\n');
}
