import { join } from 'node:path';
import type { CliContext } from './cli-context.js';
import { initApp } from './init-app.js';

/** `bakeshift init [dir]`: writes bakeshift.json and a service configuration, then says what to do next. */
export async function runInit(ctx: CliContext): Promise<void> {
  const dir = ctx.args[0] ?? '.';
  const optional = (name: string, key: 'start' | 'healthPath' | 'service') => {
    const value = ctx.text(name);
    return value ? { [key]: value } : {};
  };
  const result = await initApp({
    dir,
    servicesDir: ctx.text('services') ?? join(ctx.home, 'services'),
    force: ctx.flags.force === true,
    ...optional('start', 'start'),
    ...optional('health-path', 'healthPath'),
    ...optional('service', 'service'),
  });
  ctx.print(
    [
      `wrote ${result.manifestFile}`,
      `wrote ${result.configFile}`,
      ...result.notes.map((note) => `  ${note}`),
      '',
      'next: `bakeshift up` (in another terminal), then',
      `      bakeshift deploy ${result.service} ${dir}`,
    ].join('\n'),
    result,
  );
}
