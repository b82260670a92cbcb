import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  raw: string;
}

/**
 * A stand-in for the Slack Web API (tests only): a local HTTP server that answers chat.postMessage, chat.update and
 * chat.postEphemeral as Slack does, and records every call with its raw body.
 */
export class SlackStandIn {
  readonly calls: SlackCall[] = [];
  private server: Server | undefined;
  private ts = 1_700_000_000;

  async start(): Promise<WebClient> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const method = (req.url ?? '').replace(/^\/api\//, '');
        const form = Object.fromEntries(new URLSearchParams(raw));
        const args: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(form)) {
          try {
            args[key] = key === 'blocks' ? JSON.parse(value) : value;
          } catch {
            args[key] = value;
          }
        }
        this.calls.push({ method, args, raw });
        const ts = `${++this.ts}.000100`;
        const answer =
          method === 'chat.postMessage'
            ? { ok: true, channel: args.channel, ts }
            : { ok: true, ts, message_ts: ts };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    return new WebClient('xoxb-stand-in', {
      slackApiUrl: `http://127.0.0.1:${port}/api/`,
      retryConfig: { retries: 0 },
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The approval id on the buttons of the latest approval request. */
  async approvalIdAsked(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const blocks = this.of('chat.postMessage').flatMap(
        (c) => (c.args.blocks as { type: string; elements?: { value?: string }[] }[]) ?? [],
      );
      const value = blocks.filter((b) => b.type === 'actions').at(-1)?.elements?.[0]?.value;
      if (value && !this.answered.has(value)) {
        this.answered.add(value);
        return value;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no approval was requested in Slack');
  }

  private readonly answered = new Set<string>();
}
