import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleInteractivity } from '../../chatops/slack/interactivity.js';
import { handleSlashCommand } from '../../chatops/slack/slash-command.js';
import { describeIssues } from '../../core/config/describe-issues.js';
import { InvalidInput, NotFound } from '../../core/errors.js';
import { OPERATION_INPUTS, type OperationName } from '../../core/operations/operation-inputs.js';
import { matchPath, OPERATION_ROUTES, REFUSAL_STATUS } from '../../core/operations/operation-routes.js';
import type { Operations } from '../../core/operations/operations.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { LocalOperations } from '../control-plane/local-operations.js';
import type { ApiAccess } from './api-access.js';
import { asAuthenticated, guardRequest } from './request-guard.js';

/** Bodies larger than this are refused: every operation's input is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;

async function rawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new InvalidInput(`request body: over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await rawBody(req);
  let value: unknown;
  try {
    value = JSON.parse(text || '{}');
  } catch {
    throw new InvalidInput('request body: not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidInput('request body: must be a JSON object');
  return value as Record<string, unknown>;
}

const send = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

/** Runs the operation a request names, its input validated by the operation's schema. */
async function runOperation(backends: ApiBackends, req: IncomingMessage, res: ServerResponse, url: URL) {
  const { operations, access } = backends;
  for (const [name, route] of Object.entries(OPERATION_ROUTES) as [
    OperationName,
    typeof OPERATION_ROUTES.status,
  ][]) {
    const params = route.method === req.method ? matchPath(route, url.pathname) : undefined;
    if (!params) continue;
    const fields = route.method === 'GET' ? Object.fromEntries(url.searchParams) : await jsonBody(req);
    const parsed = OPERATION_INPUTS[name].safeParse(asAuthenticated({ ...fields, ...params }, name, access));
    if (!parsed.success) throw new InvalidInput(describeIssues('request', parsed.error.issues));
    const run = operations[name] as (input: unknown) => Promise<unknown>;
    return send(res, route.status, await run.call(operations, parsed.data));
  }
  throw new NotFound(`no route ${req.method} ${url.pathname}`);
}

/** A Slack request as the chatops handlers take it, and their answer. */
export type SlackEndpoint = (request: {
  headers: Record<string, string | undefined>;
  rawBody: string;
}) => Promise<{ status: number; body: string }>;

/** What the API serves: the operator's operations, and Slack's endpoints when Slack is configured. */
export interface ApiBackends {
  operations: Operations;
  /** The owner's token and identity: every operation needs the token, and is done as that identity. */
  access: ApiAccess;
  slack?: { interactivity: SlackEndpoint; commands: SlackEndpoint };
}

/** Slack's endpoints: signed by Slack, answered by the same code as the Lambda function URLs. */
async function runSlack(backends: ApiBackends, req: IncomingMessage, res: ServerResponse, pathname: string) {
  if (!backends.slack)
    throw new NotFound('Slack is not configured: start with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
  const request = { headers: req.headers as Record<string, string | undefined>, rawBody: await rawBody(req) };
  const endpoint =
    pathname === '/slack/interactivity' ? backends.slack.interactivity : backends.slack.commands;
  const response = await endpoint(request);
  res.writeHead(response.status, {
    'content-type': response.body.startsWith('{') ? 'application/json' : 'text/plain',
  });
  res.end(response.body);
}

/** The local control plane's backends: its operations, and Slack's handlers over its ports. */
export function localApiBackends(cp: ControlPlane, access: ApiAccess): ApiBackends {
  const { slack } = cp;
  if (!slack) return { operations: new LocalOperations(cp), access };
  const deps = { ...cp.ports, slack: slack.client, signingSecret: slack.signingSecret };
  return {
    operations: new LocalOperations(cp),
    access,
    slack: {
      interactivity: (request) => handleInteractivity(request, deps),
      commands: (request) => handleSlashCommand(request, { ...deps, starter: cp.starter }),
    },
  };
}

const SLACK_PATHS = ['/slack/interactivity', '/slack/commands'];

/**
 * The control plane's local HTTP API: the operator's operations (operation-routes.ts) and Slack's endpoints.
 * Listens on loopback only. A refusal answers its status (400, 403, 404, 409) with `{ error }`.
 */
export async function startApiServer(
  backends: ApiBackends,
  port: number,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const handled =
      req.method === 'POST' && SLACK_PATHS.includes(url.pathname)
        ? runSlack(backends, req, res, url.pathname)
        : Promise.resolve()
            .then(() => guardRequest(req, backends.access, (server.address() as AddressInfo).port))
            .then(() => runOperation(backends, req, res, url));
    void handled.catch((error: unknown) => {
      const status = REFUSAL_STATUS[(error as Error).name] ?? 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
