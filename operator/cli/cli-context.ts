import { AwsOperations } from '../../aws/operations/aws-operations.js';
import { awsOperatorClients } from '../../aws/operations/aws-operator-clients.js';
import { explainingAwsErrors } from '../../aws/operations/explain-aws-errors.js';
import type { Operations } from '../../core/operations/operations.js';
import { readApiFile } from '../../local/api/api-access.js';
import { httpOperations } from '../../local/api/http-operations.js';
import { resolveTarget, type Target } from './target.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** What a command runs with: its arguments, options, home, output and the target's operations. */
export interface CliContext {
  /** The command's positional arguments (without the command's name). */
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  text(name: string): string | undefined;
  home: string;
  /** Prints the human line, or with --json the value as one JSON line. */
  print(human: string, json: unknown): void;
  /** Where the operations go: `--target`, else the home's saved target, else local. */
  target(): Promise<Target>;
  /** The target's operations: the local control plane's API, or the AWS stack with the caller's credentials. */
  operations(): Promise<Operations>;
}

async function localOperations(home: string): Promise<Operations> {
  const api = await readApiFile(home);
  if (!api) throw new UsageError(`no control plane for ${home}: start one with \`bakeshift up\``);
  return httpOperations(api.url, api.token);
}

export function cliContext(
  home: string,
  args: string[],
  flags: Record<string, string | boolean | undefined>,
): CliContext {
  const target = () => resolveTarget(home, flags);
  return {
    args,
    flags,
    home,
    text: (name) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined),
    print: (human, json) => console.log(flags.json ? JSON.stringify(json) : human),
    target,
    operations: async () => {
      const chosen = await target();
      return chosen.kind === 'aws'
        ? explainingAwsErrors(new AwsOperations(awsOperatorClients(chosen.region)))
        : localOperations(home);
    },
  };
}

/** The first positional argument, or a usage error showing how the command is called. */
export function required(ctx: CliContext, index: number, usage: string): string {
  const value = ctx.args[index];
  if (!value) throw new UsageError(`usage: ${usage}`);
  return value;
}
