import type { WindowMetrics } from '../analysis/window-metrics.js';
import type { DeploymentRecord } from '../deployment/deployment-record.js';
import type { FleetWeight } from '../deployment/traffic-plan.js';
import type { Freeze, FreezeOverride } from '../freezes/freeze.js';
import type { JanitorReport } from '../releases/run-janitor.js';
import type { DeliveryFigures } from '../stats/delivery-figures.js';
import type { DeploymentOutlook } from './deployment-outlook.js';
import type { OperationInput, OperationName } from './operation-inputs.js';

/** One step event of a deployment's execution, as the progress display reads it (local engine or Step Functions). */
export interface StepEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string };
  Error?: string | undefined;
  Cause?: unknown;
  /** On a Wait state's StateEntered: how long it waits (a hold's countdown). */
  waitSeconds?: number | undefined;
}

export interface ServiceStatus {
  service: string;
  environment: string;
  /** What takes the traffic: the committed release, or a green that took all of it while blue is kept warm. */
  live: { version: string; imageId: string; fleetId: string; since: string } | null;
  /** The release kept warm for a fast rollback while a green that took all traffic is not committed yet. */
  keptWarm: { version: string; fleetId: string } | null;
  lock: string | null;
  /** Deployments not ended yet; `awaitingApproval` when one waits for a person's decision. */
  inFlight: {
    deploymentId: string;
    version: string;
    status: string;
    awaitingApproval: boolean;
    /** A verdict in doubt waiting for an approver (ADR 50): the step and its evidence in one line. */
    inDoubt?: { step: string; reason: string };
  }[];
  url: string | null;
  previewUrl: string | null;
  instances: number;
  /** How the listener splits traffic now, by fleet (a fleet is the live release's or a deployment's). */
  traffic: FleetWeight[];
  /**
   * Set when the newest deployment left routing in doubt (RestoreTraffic failed for good, or its record never
   * got past compensating): the listener may not be what any record says, until a deployment settles it.
   */
  trafficInDoubt: { deploymentId: string; status: string } | null;
}

export interface OperationResults {
  status: {
    services: ServiceStatus[];
    /** Services whose configuration cannot be used, each with why (file, field, reason): the others still show. */
    invalidConfigs: { service: string; error: string }[];
    congruence: {
      service: string;
      environment: string;
      schedule: string;
      timeZone: string;
      nextRun: string | undefined;
    }[];
  };
  /** `alreadyLive`: this version, with this very content, serves now: nothing was started. */
  deploy: { deploymentId: string; started: boolean; alreadyLive?: boolean };
  deployment: { record: DeploymentRecord | null; status: string; events: StepEvent[] } & DeploymentOutlook;
  /** Green's and blue's figures period by period since the first traffic shift (core/operations/read-deployment-metrics.ts). */
  metrics: {
    deploymentId: string;
    periodSeconds: number;
    points: { at: string; green: WindowMetrics; blue: WindowMetrics | null }[];
  };
  history: DeploymentRecord[];
  logs: { time: string; instanceId: string; stream: string; message: string }[];
  events: { events: Record<string, unknown>[]; next: number };
  decide: { outcome: 'approved' | 'rejected' };
  promote: { deploymentId: string; version: string; imageId: string };
  rollback:
    | { kind: 'traffic-shift'; deploymentId: string; version?: string }
    | { kind: 'redeploy'; deploymentId: string; version: string; imageId: string };
  congruence: { deploymentId: string };
  janitor: JanitorReport[];
  /** `warnings`: an announcement that failed (the freeze is kept all the same). */
  freeze: { freeze: Freeze; warnings: string[] };
  unfreeze: { freeze: Freeze; warnings: string[] };
  /** The freezes in force now, the one ending last first. */
  freezes: { freezes: Freeze[] };
  overrideFreeze: FreezeOverride;
  /** Per service and environment, over the period asked for. */
  stats: { figures: DeliveryFigures[] };
}

/**
 * The operator's operations, one port for every target: the local control plane implements it, the CLI (and
 * any console) calls only it. Each refusal is a named error (core/errors.ts): Refused, NotFound, NotAllowed.
 */
export type Operations = {
  [N in OperationName]: (input: OperationInput<N>) => Promise<OperationResults[N]>;
};
