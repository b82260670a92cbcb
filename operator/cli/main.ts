import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, cliContext, UsageError } from './cli-context.js';
import { COMMON_OPTIONS, commandHelp, commandNamed, overview } from './command-table.js';
import { FREEZE_COMMANDS } from './freeze-commands.js';
import { OPERATOR_COMMANDS } from './operator-commands.js';
import { runConsole } from './run-console.js';
import { runDeploy } from './run-deploy.js';
import { runInit } from './run-init.js';
import { runUp } from './run-up.js';
import { runStats } from './stats-command.js';

/** Every command's runner; its arguments and options are in command-table.ts. */
const RUNNERS: Record<string, (ctx: CliContext) => Promise<void>> = {
  init: runInit,
  up: runUp,
  deploy: runDeploy,
  console: runConsole,
  ...OPERATOR_COMMANDS,
  ...FREEZE_COMMANDS,
  stats: runStats,
};

/** The parsed options, or a usage error naming the option node:util refused ("Unknown option '--foo'"). */
function parseOptions(commandName: string, args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...commandNamed(commandName)?.options },
    });
  } catch (error) {
    const reason = (error as Error).message.split('. ')[0];
    throw new UsageError(`${commandName}: ${reason} (see bakeshift ${commandName} --help)`);
  }
}

async function run(argv: string[]) {
  const [commandName = '', ...args] = argv;
  const command = commandNamed(commandName);
  if (!command) {
    if (commandName && !commandName.startsWith('-'))
      throw new UsageError(`unknown command "${commandName}"\n\n${overview()}`);
    return console.log(overview());
  }
  const parsed = parseOptions(commandName, args);
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help) return console.log(commandHelp(command));
  const home = resolve((flags.home as string | undefined) ?? process.env.BAKESHIFT_HOME ?? '.bakeshift');
  const run = RUNNERS[command.name];
  if (!run) throw new UsageError(`unknown command "${command.name}"`);
  await run(cliContext(home, parsed.positionals, flags));
}

/** Refusals (the caller's to fix) print their message and exit 2; anything else is a bug, shown whole. */
const REFUSALS = [
  'Refused',
  'NotFound',
  'NotAllowed',
  'InvalidInput',
  'ConfigInvalid',
  'Unreachable',
  'Unauthenticated',
  'NoDeploymentStarted',
  'Frozen',
];

/**
 * Runs one command (`argv` without node and the script) and resolves to its exit status: 0, 1 for a deployment
 * that rolled back, 2 for a refusal (printed as one line) or a fault (printed whole).
 */
export async function runCli(argv: string[]): Promise<number> {
  process.exitCode = 0;
  try {
    await run(argv);
  } catch (error) {
    const refused = error instanceof UsageError || REFUSALS.includes((error as Error).name);
    console.error(refused ? `bakeshift: ${(error as Error).message}` : error);
    process.exitCode = 2;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return status;
}
