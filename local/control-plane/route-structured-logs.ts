import { createWriteStream } from 'node:fs';

/**
 * Sends the handlers' structured logs (Powertools writes one JSON object a line to stdout) to a file, and to
 * the terminal only when asked: a person running `bakeshift up` reads the few human lines it prints; the JSON
 * stays in `<home>/logs/control-plane.jsonl` for whoever needs it. Human lines never start with `{`.
 */
export function routeStructuredLogs(file: string, options: { echo: boolean }): void {
  const log = createWriteStream(file, { flags: 'a' });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.startsWith('{')) return write(chunk, ...(rest as []));
    log.write(text);
    return options.echo ? write(chunk, ...(rest as [])) : true;
  }) as typeof process.stdout.write;
}
