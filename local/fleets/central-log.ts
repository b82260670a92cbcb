import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface LogLine {
  service: string;
  environment: string;
  fleetId: string;
  instanceId: string;
  stream: 'stdout' | 'stderr' | 'lifecycle';
  message: string;
}

/** One JSON-lines log per service under `<home>/logs`: every instance's output, with its id and time. */
export class CentralLog {
  private readonly streams = new Map<string, WriteStream>();

  constructor(private readonly directory: string) {}

  fileOf(service: string): string {
    return join(this.directory, `${service}.jsonl`);
  }

  async write(line: LogLine): Promise<void> {
    let stream = this.streams.get(line.service);
    if (!stream) {
      await mkdir(this.directory, { recursive: true });
      stream = this.streams.get(line.service) ?? createWriteStream(this.fileOf(line.service), { flags: 'a' });
      this.streams.set(line.service, stream);
    }
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve) => s.end(resolve))));
    this.streams.clear();
  }
}
