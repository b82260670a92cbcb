import type { Operations } from '../../core/operations/operations.js';
import { readApiFile } from '../api/api-access.js';
import { httpOperations } from '../api/http-operations.js';

/** A mistake in how the CLI was called, or something the user must do first: printed, exit status 2. */
export class UsageError extends Error {}

/** What a command runs with: its arguments, options, home, output and the control plane's operations. */
export interface CliContext {
  /** The command's positional arguments (without the command's name). */
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  text(name: string): string | undefined;
  home: string;
  /** Prints the human line, or with --json the value as one JSON line. */
  print(human: string, json: unknown): void;
  /** The operations of the control plane this home's `bakeshift up` runs. */
  operations(): Promise<Operations>;
}

export function cliContext(
  home: string,
  args: string[],
  flags: Record<string, string | boolean | undefined>,
): CliContext {
  return {
    args,
    flags,
    home,
    text: (name) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined),
    print: (human, json) => console.log(flags.json ? JSON.stringify(json) : human),
    operations: async () => {
      const api = await readApiFile(home);
      if (!api) throw new UsageError(`no control plane for ${home}: start one with \`bakeshift up\``);
      return httpOperations(api.url, api.token);
    },
  };
}

/** The first positional argument, or a usage error showing how the command is called. */
export function required(ctx: CliContext, index: number, usage: string): string {
  const value = ctx.args[index];
  if (!value) throw new UsageError(`usage: ${usage}`);
  return value;
}
