import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliContext, cliContext, UsageError } from './cli-context.js';
import { COMMON_OPTIONS, commandHelp, commandNamed, overview } from './command-table.js';
import { OPERATOR_COMMANDS } from './operator-commands.js';
import { runDeploy } from './run-deploy.js';
import { runInit } from './run-init.js';
import { runUp } from './run-up.js';

/** Every command's runner; its arguments and options are in command-table.ts. */
const RUNNERS: Record<string, (ctx: CliContext) => Promise<void>> = {
  init: runInit,
  up: runUp,
  deploy: runDeploy,
  ...OPERATOR_COMMANDS,
};

/** The parsed options, or exit 2 naming the option node:util refused ("Unknown option '--foo'"). */
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
    console.error(`bakeshift ${commandName}: ${reason} (see bakeshift ${commandName} --help)`);
    process.exit(2);
  }
}

async function main() {
  const [commandName = '', ...args] = process.argv.slice(2);
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
const REFUSALS = ['Refused', 'NotFound', 'NotAllowed', 'InvalidInput', 'ConfigInvalid', 'Unreachable'];

main().catch((error: unknown) => {
  const refused = error instanceof UsageError || REFUSALS.includes((error as Error).name);
  console.error(refused ? `bakeshift: ${(error as Error).message}` : error);
  process.exitCode = 2;
});
