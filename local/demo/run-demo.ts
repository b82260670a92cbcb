import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysisEntry } from '../../core/deployment/deployment-record.js';
import { formatDurations, phaseDurations } from '../../core/deployment/phase-durations.js';
import { greenFleetIdOf } from '../../core/deployment/resource-names.js';
import { buildHelloArtifact, writeHelloServiceConfig } from '../../examples/hello/build-artifact.js';
import { ControlPlane } from '../control-plane/control-plane.js';
import { loadWindow } from '../load/load-generator.js';
import { LoadThread } from '../load/load-in-thread.js';
import { progressLines } from '../progress/progress-printer.js';

export interface DemoDeployment {
  version: string;
  outcome: 'succeeded' | 'rolled_back' | 'failed';
  /** ms from the request to the end of the execution. */
  durationMs: number;
  phases: Record<string, number>;
  cause?: string;
  /** When traffic first moved to this version (ms since epoch), if it did. */
  shiftedAt?: number;
  /** Requests sent while this deployment ran. */
  requests: number;
  failedRequests: number;
  /** Which versions answered the load successfully while it ran (version → requests). */
  answeredBy: Record<string, number>;
  /** Which versions failed requests while it ran ('load balancer' when no version answered). */
  failedBy: Record<string, number>;
  /** When the first and the last failed request of its window were sent (ms since epoch), if one failed. */
  failuresSentBetween?: [number, number];
  /** When the load balancer took every new request away from this version again (a rollback), if it did. */
  shiftedBackAt?: number;
  /** The analysis verdicts kept in its record, with their numbers. */
  analysis: AnalysisEntry[];
  /** When its first traffic shift started (ms since the epoch), if it got that far. */
  shiftStartedAt?: number;
}

export interface DemoResult {
  deployments: DemoDeployment[];
  requests: number;
  failedRequests: number;
  failureSamples: (string | undefined)[];
  /**
   * Requests the local load balancer sent to a second target after the first failed before any response byte:
   * each would have been a 502 on an ALB, so zero failed requests means little unless this is small.
   */
  retriedRequests: number;
  /** From the v1→v2 shift until every new request was answered by v2. */
  cutoverMs: number;
  servedAtEnd: Record<string, number>;
  /** Process ids of the instances that ran, all gone once the demo returns. */
  instancePids: number[];
}

export interface DemoOptions {
  /** Versions of examples/hello to deploy in order, each with the outcome it must have. */
  plan: { version: string; expect: DemoDeployment['outcome'] }[];
  connections: number;
  log: (line: string) => void;
  /** Where local state goes; a temporary directory (removed afterwards) when omitted. */
  home?: string;
  /** Overrides of hello's staging configuration (e.g. a longer keep-warm window, weighted steps). */
  staging?: Record<string, unknown>;
  /** Called once the control plane is up, e.g. to stop it on Ctrl-C. */
  onStarted?: (controlPlane: ControlPlane) => void;
}

/**
 * From the moment the load balancer sent every new request to the second version until the last request sent
 * after it that the first version still answered. Throws when the second deployment never switched traffic:
 * a missing switch is never a cutover of 0 ms.
 */
function cutoverMsOf(
  load: LoadThread | undefined,
  switchedAt: number | undefined,
  deployments: DemoDeployment[],
) {
  const [first, second] = deployments;
  if (!load || !first || second?.outcome !== 'succeeded') return 0;
  if (switchedAt === undefined) throw new Error(`no traffic switch to ${second.version} was recorded`);
  return load.cutoverMs(switchedAt, first.version);
}

/**
 * The main job in local mode: a control plane, the hello service deployed version after version through the
 * real state machine, under steady keep-alive load from the first shift on. Leaves no process behind.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the demo's script, deployment by deployment as the README tells it, with its load windows
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the demo's script, deployment by deployment as the README tells it
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'bakeshift-demo-')));
  const servicesDir = join(home, 'services');
  await mkdir(servicesDir, { recursive: true });
  await writeHelloServiceConfig(servicesDir, options.staging);
  const { controlPlane } = await ControlPlane.start({ home, servicesDir, stopGraceMs: 2000 });
  options.onStarted?.(controlPlane);
  const deployments: DemoDeployment[] = [];
  const pids = new Set<number>();
  let load: LoadThread | undefined;
  try {
    for (const { version } of options.plan) {
      const artifactFile = await buildHelloArtifact(version, home);
      const requestedAt = Date.now();
      const { deploymentId } = await controlPlane.deploy({
        service: 'hello',
        environment: 'staging',
        version,
        artifactFile,
        requestedBy: 'demo',
      });
      const execution = controlPlane.execution(deploymentId);
      if (!execution) throw new Error(`deployment ${deploymentId} did not start`);
      execution.onEvent(progressLines(`  ${version}`, options.log));
      execution.onEvent((event) => {
        // Every instance launched, also those of a version that never becomes healthy (seen while it is polled).
        if (event.type !== 'StateEntered' && 'state' in event && event.state.name === 'AwaitGreenHealthy') {
          for (const pid of controlPlane.fleets.processIds(deploymentId)) pids.add(pid);
        }
      });
      const outcome = await execution.outcome;
      const endedAt = new Date();
      // When the load balancer sent every new request to this version: the data plane's own time of the change.
      const green = greenFleetIdOf(deploymentId);
      const changes = controlPlane.dataPlane.weightChanges;
      const shiftedAt = changes.find((c) =>
        c.weights.some((w) => w.fleetId === green && w.percent === 100),
      )?.at;
      const shiftedBackAt =
        shiftedAt === undefined
          ? undefined
          : changes.find(
              (c) => c.at > shiftedAt && !c.weights.some((w) => w.fleetId === green && w.percent > 0),
            )?.at;
      const record = await controlPlane.store.getDeployment(deploymentId);
      await load?.refresh();
      // Before the load starts (the first deployment), an empty window.
      const window = load?.between(requestedAt, endedAt.getTime()) ?? loadWindow([], 0);
      deployments.push({
        version,
        outcome:
          record?.status === 'succeeded'
            ? 'succeeded'
            : record?.status === 'rolled_back'
              ? 'rolled_back'
              : 'failed',
        durationMs: endedAt.getTime() - requestedAt,
        phases: record ? (phaseDurations(record, endedAt) as Record<string, number>) : {},
        ...(outcome.status === 'FAILED' ? { cause: outcome.cause ?? outcome.error ?? 'unknown' } : {}),
        ...(shiftedAt ? { shiftedAt } : {}),
        ...(shiftedBackAt ? { shiftedBackAt } : {}),
        requests: window.requests,
        failedRequests: window.failed,
        analysis: record?.analysis ?? [],
        answeredBy: window.versions,
        failedBy: window.failedBy,
        ...(window.firstFailureSentAt && window.lastFailureSentAt
          ? { failuresSentBetween: [window.firstFailureSentAt, window.lastFailureSentAt] }
          : {}),
        ...(record?.phases.shift ? { shiftStartedAt: Date.parse(record.phases.shift) } : {}),
      });
      if (record) options.log(`  ${version}  phases: ${formatDurations(phaseDurations(record, endedAt))}`);
      if (!load) {
        const url = controlPlane.listeners().find((l) => l.service === 'hello')?.url;
        if (!url) throw new Error('the hello listener is not up');
        load = new LoadThread({
          url,
          connections: options.connections,
          maxDurationMs: 10 * 60_000,
          maxRequests: 5_000_000,
        });
        options.log(`  load: ${options.connections} keep-alive connections against ${url}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    // What serves once everything settled: requests sent after the last deployment ended.
    const settledAt = Date.now() + 250;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await load?.stop();
    const firstShift = deployments[1]?.shiftedAt;
    const overall = load?.between(0) ?? loadWindow([], 0);
    const last = load?.between(settledAt) ?? loadWindow([], 0);
    return {
      deployments,
      requests: overall.requests,
      failedRequests: overall.failed,
      failureSamples: overall.errors,
      cutoverMs: cutoverMsOf(load, firstShift, deployments),
      retriedRequests: await controlPlane.dataPlane.commands.retriedRequests(),
      servedAtEnd: last.versions,
      instancePids: [...pids],
    };
  } finally {
    await load?.stop().catch(() => undefined);
    await controlPlane.stop();
    if (!options.home) await rm(home, { recursive: true, force: true });
  }
}
