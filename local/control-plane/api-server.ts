import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { handleInteractivity } from '../../chatops/slack/interactivity.js';
import { handleSlashCommand } from '../../chatops/slack/slash-command.js';
import { decideApproval } from '../../core/approvals/decide-approval.js';
import { describeIssues } from '../../core/config/describe-issues.js';
import { TERMINAL_STATUSES } from '../../core/deployment/deployment-record.js';
import { planPromotion } from '../../core/releases/plan-promotion.js';
import { planRollback } from '../../core/releases/plan-rollback.js';
import type { ControlPlane } from './control-plane.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DeployBody = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  version: z.string().min(1),
  artifactFile: z.string().min(1),
  requestedBy: z.string().min(1).optional(),
});
const DecisionBody = z.object({ approve: z.boolean(), by: z.string().min(1) });
const PromoteBody = z.object({
  service: z.string().min(1),
  from: z.string().min(1),
  to: z.string().min(1),
  requestedBy: z.string().min(1),
});
const RollbackBody = z.object({
  service: z.string().min(1),
  environment: z.string().min(1),
  toVersion: z.string().min(1).optional(),
  requestedBy: z.string().min(1),
});

/** A refusal (or a configuration error) is the caller's to fix: 409 with its reason. */
async function refusable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (['Refused', 'ConfigInvalid'].includes((error as Error).name))
      throw new HttpError(409, (error as Error).message);
    throw error;
  }
}

async function rawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse((await rawBody(req)) || '{}');
  } catch {
    throw new HttpError(400, 'request body: not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, describeIssues('request body', parsed.error.issues));
  return parsed.data;
}

/**
 * The control plane's local HTTP API, for the CLI: deployments, their progress and records, status, history,
 * logs and approvals. Listens on loopback only.
 */
export async function startApiServer(
  controlPlane: ControlPlane,
  port: number,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void route(controlPlane, req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
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

const send = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

async function route(cp: ControlPlane, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://local');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';

  if (method === 'GET' && url.pathname === '/status') return send(res, 200, await status(cp));
  if (method === 'POST' && url.pathname === '/janitor') {
    const { dryRun } = await body(req, z.object({ dryRun: z.boolean().default(false) }));
    return send(res, 200, await cp.janitor({ dryRun }));
  }
  if (method === 'POST' && url.pathname === '/promotions') {
    const input = await body(req, PromoteBody);
    const request = await refusable(() => planPromotion(cp.ports, input));
    await cp.starter.start(request);
    return send(res, 202, {
      deploymentId: request.deploymentId,
      version: request.version,
      imageId: request.imageId,
    });
  }
  if (method === 'POST' && url.pathname === '/rollbacks') {
    const input = await body(req, RollbackBody);
    const plan = await refusable(() => planRollback(cp.ports, input));
    if (plan.kind === 'redeploy') await cp.starter.start(plan.request);
    return send(
      res,
      202,
      plan.kind === 'redeploy'
        ? { kind: plan.kind, deploymentId: plan.request.deploymentId, ...plan.target }
        : plan,
    );
  }
  if (method === 'POST' && parts[0] === 'congruence' && parts[1] && parts[2]) {
    const deploymentId = await cp.scheduler.runNow(parts[1], parts[2]);
    if (!deploymentId) throw new HttpError(409, `${parts[1]}/${parts[2]} has no live release to rebuild`);
    return send(res, 202, { deploymentId });
  }
  if (method === 'POST' && (url.pathname === '/slack/interactivity' || url.pathname === '/slack/commands')) {
    if (!cp.slack)
      throw new HttpError(
        404,
        'Slack is not configured: start with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET',
      );
    const request = {
      headers: req.headers as Record<string, string | undefined>,
      rawBody: await rawBody(req),
    };
    const deps = { ...cp.ports, slack: cp.slack.client, signingSecret: cp.slack.signingSecret };
    const response =
      url.pathname === '/slack/interactivity'
        ? await handleInteractivity(request, deps)
        : await handleSlashCommand(request, { ...deps, starter: cp.starter });
    res.writeHead(response.status, {
      'content-type': response.body.startsWith('{') ? 'application/json' : 'text/plain',
    });
    res.end(response.body);
    return;
  }
  if (method === 'POST' && url.pathname === '/deployments') {
    const input = await body(req, DeployBody);
    return send(res, 202, await refusable(() => cp.deploy(input)));
  }
  if (method === 'GET' && url.pathname === '/history') {
    const service = url.searchParams.get('service') ?? '';
    const environment = url.searchParams.get('environment') ?? 'staging';
    const limit = Number(url.searchParams.get('limit') ?? '20');
    return send(
      res,
      200,
      await cp.store.listDeployments(service, environment, Math.min(Math.max(limit, 1), 100)),
    );
  }
  if (method === 'GET' && url.pathname === '/logs') {
    const service = url.searchParams.get('service') ?? '';
    const lines = Math.min(Number(url.searchParams.get('lines') ?? '50'), 1000);
    const text = await readFile(cp.centralLog.fileOf(service), 'utf8').catch(() => '');
    return send(
      res,
      200,
      text
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .slice(-lines)
        .map((l) => JSON.parse(l)),
    );
  }
  if (parts[0] === 'deployments' && parts[1]) {
    const deploymentId = parts[1];
    if (method === 'GET' && parts.length === 2) {
      // Right after a start, the execution exists before Prepare has written the record.
      const record = (await cp.store.getDeployment(deploymentId)) ?? null;
      const execution = cp.execution(deploymentId);
      if (!record && !execution) throw new HttpError(404, `no deployment ${deploymentId}`);
      return send(res, 200, {
        record,
        status: execution?.status ?? 'UNKNOWN',
        events: execution?.events ?? [],
      });
    }
    if (method === 'POST' && parts[2] === 'decision') {
      const decision = await body(req, DecisionBody);
      const ticket = await cp.store.approvalOf(deploymentId);
      if (!ticket) throw new HttpError(404, `deployment ${deploymentId} has no approval request`);
      const result = await decideApproval(cp.ports, {
        approvalId: ticket.approvalId,
        approve: decision.approve,
        by: decision.by,
      });
      switch (result.outcome) {
        case 'approved':
        case 'rejected':
          return send(res, 200, { outcome: result.outcome });
        case 'not_an_approver':
          throw new HttpError(
            403,
            `${decision.by} may not decide this deployment (approvers: ${result.approvers.join(', ')})`,
          );
        case 'already_decided':
        case 'expired':
          throw new HttpError(
            409,
            `this approval is ${result.outcome === 'expired' ? 'past its deadline' : `already ${result.status}`}; nothing changed`,
          );
        case 'unknown_approval':
          throw new HttpError(404, `deployment ${deploymentId} has no approval request`);
      }
    }
  }
  throw new HttpError(404, `no route ${method} ${url.pathname}`);
}

async function status(cp: ControlPlane) {
  const services = [];
  for (const service of await cp.configs.services()) {
    const { config } = await cp.configs.load(service);
    for (const environment of Object.keys(config.environments)) {
      const live = await cp.store.getLiveRelease(service, environment);
      const inFlight = (await cp.store.listDeployments(service, environment, 10)).filter(
        (d) => !TERMINAL_STATUSES.includes(d.status),
      );
      const listener = cp.listeners().find((l) => l.service === service && l.environment === environment);
      services.push({
        service,
        environment,
        live: live
          ? { version: live.version, imageId: live.imageId, fleetId: live.fleetId, since: live.liveSince }
          : null,
        lock: (await cp.store.lockHolder(service, environment)) ?? null,
        inFlight: inFlight.map((d) => ({
          deploymentId: d.deploymentId,
          version: d.version,
          status: d.status,
        })),
        url: listener?.url ?? null,
        previewUrl: listener?.previewUrl ?? null,
        instances: live ? cp.fleets.processIds(live.fleetId).length : 0,
      });
    }
  }
  return { services, congruence: cp.scheduler.scheduled() };
}
