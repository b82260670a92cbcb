import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { apiFileOf, newApiAccess, writeApiFile } from '../../local/api/api-access.js';
import { localApiBackends, startApiServer } from '../../local/api/api-server.js';
import { ControlPlane, type ReconcileReport } from '../../local/control-plane/control-plane.js';
import { routeStructuredLogs } from '../../local/control-plane/route-structured-logs.js';
import type { CliContext } from './cli-context.js';

const listenerLine = (l: ReturnType<ControlPlane['listeners']>[number]) =>
  `  ${l.service}/${l.environment}: ${l.url} (preview ${l.previewUrl})`;

/**
 * Prints what the control plane does as it happens: deployments' moves, approvals to give, and the listener
 * of a service+environment the first time it has one (its first deployment).
 */
function printEvents(controlPlane: ControlPlane) {
  const told = new Set(controlPlane.listeners().map((l) => l.url));
  controlPlane.events.subscribe((event) => {
    if (event.type === 'deployment') {
      console.log(
        `${event.at} ${event.kind} ${event.service}/${event.environment} ${event.version} ${event.detail ?? ''}`.trimEnd(),
      );
      for (const listener of controlPlane.listeners().filter((l) => !told.has(l.url))) {
        told.add(listener.url);
        console.log(`listening:\n${listenerLine(listener)}`);
      }
    }
    if (event.type === 'approval')
      console.log(
        `approval requested for ${event.view.deploymentId}: bakeshift approve ${event.view.deploymentId}`,
      );
  });
}

function printStarted(controlPlane: ControlPlane, reconciled: ReconcileReport, url: string, slack: boolean) {
  console.log(
    `bakeshift control plane (home ${controlPlane.options.home}, services ${controlPlane.options.servicesDir})`,
  );
  console.log(`  API: ${url}`);
  if (slack)
    console.log(`  Slack: interactivity ${url}/slack/interactivity, slash command ${url}/slack/commands`);
  if (reconciled.orphansKilled || reconciled.compensated.length || reconciled.bakesCancelled.length) {
    console.log(
      `  recovered from an earlier stop: ${reconciled.orphansKilled} orphan processes killed, ` +
        `${reconciled.bakesCancelled.length} bakes cancelled, ${reconciled.compensated.length} deployments rolled back`,
    );
  }
  for (const invalid of reconciled.invalidConfigs)
    console.log(
      `  ${invalid.service}: not started, its configuration is not usable:\n    ${invalid.error.replaceAll('\n', '\n    ')}`,
    );
  for (const run of controlPlane.scheduler.scheduled()) {
    console.log(
      `  congruence ${run.service}/${run.environment}: ${run.schedule} (${run.timeZone}), next ${run.nextRun}`,
    );
  }
  const listeners = controlPlane.listeners();
  for (const listener of listeners) console.log(listenerLine(listener));
  if (listeners.length === 0)
    console.log(
      '  no listener yet: each service+environment gets one at its first deployment (printed then)',
    );
}

/** `bakeshift up`: starts the local control plane and its API, until SIGINT or SIGTERM. */
export async function runUp(ctx: CliContext): Promise<void> {
  const { home } = ctx;
  await mkdir(join(home, 'logs'), { recursive: true });
  routeStructuredLogs(join(home, 'logs', 'control-plane.jsonl'), {
    echo: ctx.flags.verbose === true || ctx.text('log-level') !== undefined,
  });
  const servicesDir = resolve(ctx.text('services') ?? join(home, 'services'));
  await mkdir(servicesDir, { recursive: true });
  const slack =
    process.env.SLACK_BOT_TOKEN && process.env.SLACK_SIGNING_SECRET
      ? { botToken: process.env.SLACK_BOT_TOKEN, signingSecret: process.env.SLACK_SIGNING_SECRET }
      : undefined;
  const { controlPlane, reconciled } = await ControlPlane.start({
    home,
    servicesDir,
    ...(slack ? { slack } : {}),
  });
  const access = newApiAccess(ctx.text('as'));
  const { url, server } = await startApiServer(
    localApiBackends(controlPlane, access),
    Number(ctx.text('api-port') ?? '0'),
  );
  await writeApiFile(home, { url, pid: process.pid, ...access });
  const apiFile = apiFileOf(home);
  printEvents(controlPlane);
  printStarted(controlPlane, reconciled, url, slack !== undefined);
  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('stopping: instances get SIGTERM, then SIGKILL after their grace period');
    server.close();
    await controlPlane.stop();
    await rm(apiFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
