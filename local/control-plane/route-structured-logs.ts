import { createWriteStream } from 'node:fs';

/**
 * Sends the handlers' structured logs (Powertools writes one JSON object a line: INFO and DEBUG to stdout,
 * WARN and ERROR to stderr) to a file, and to the terminal only when asked: a person running `bakeshift up`
 * reads the few human lines it prints; the JSON stays in `<home>/logs/control-plane.jsonl` for whoever needs it.
 * Human lines never start with `{`.
 */
export function routeStructuredLogs(file: string, options: { echo: boolean }): void {
  const log = createWriteStream(file, { flags: 'a' });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('{')) return write(chunk, ...(rest as []));
      log.write(text.endsWith('\n') ? text : `${text}\n`);
      return options.echo ? write(chunk, ...(rest as [])) : true;
    }) as typeof stream.write;
  }
}
