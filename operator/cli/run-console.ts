import { approverName } from '../approver-name.js';
import { startConsole } from '../console/start-console.js';
import type { CliContext } from './cli-context.js';

/** How often the console re-reads what it shows: locally cheap; on AWS every read is API calls. */
const POLL_MS = { local: 250, aws: 2_000 } as const;

/** `bakeshift console`: the web console for the target, on 127.0.0.1, until interrupted. */
export async function runConsole(ctx: CliContext): Promise<void> {
  const target = await ctx.target();
  const operations = await ctx.operations();
  const console_ = await startConsole({
    operations,
    target:
      target.kind === 'aws' ? `aws${target.region ? ` (${target.region})` : ''}` : `local (${ctx.home})`,
    approverName: () => approverName(target, ctx.home, undefined),
    pollMs: POLL_MS[target.kind],
    port: Number(ctx.text('port') ?? '0'),
  });
  console.log(`bakeshift console for ${target.kind}: open ${console_.loginUrl}`);
  console.log('  (the link logs this browser in once; the console answers only on 127.0.0.1)');
  const stop = () => void console_.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
