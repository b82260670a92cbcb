import type { WindowMetrics } from '../analysis/window-metrics.js';
import type { Capacity, Trigger } from '../config/service-config.js';
import type { DriftReport } from '../congruence/drift-report.js';
import type { FreezeOverride } from '../freezes/freeze.js';
import type { ArtifactRef } from './deployment-request.js';
import type { FleetWeight } from './traffic-plan.js';

export type DeploymentStatus = 'in_progress' | 'compensating' | 'succeeded' | 'rolled_back' | 'superseded';

export const TERMINAL_STATUSES: readonly DeploymentStatus[] = ['succeeded', 'rolled_back', 'superseded'];

/** Phases in the order a deployment passes through them; each records when it started. */
export const PHASES = [
  'prepare',
  'bake',
  'launch',
  'health',
  'approval',
  'shift',
  'warm',
  'commit',
  'reap',
  'prune',
  'finish',
  'compensate',
] as const;
export type Phase = (typeof PHASES)[number];

/** Traffic as it was before this deployment first changed it, so compensation can put it back exactly. */
export interface TrafficSnapshot {
  weights: FleetWeight[];
  /** What the adapter needs to restore its own representation exactly (e.g. an ALB listener action). */
  native?: string;
}

export interface FailureDescription {
  step: string;
  error: string;
  cause: string;
}

/** One deployment attempt, as kept in the release store and shown by `history`. */
export interface DeploymentRecord {
  deploymentId: string;
  service: string;
  environment: string;
  trigger: Trigger;
  version: string;
  requestedBy: string;
  requestedAt: string;
  /** When the change entered the pipeline (its artifact's upload), where it differs from requestedAt: a promotion's. */
  changeRequestedAt?: string;
  artifact?: ArtifactRef;
  drift?: DriftReport;
  status: DeploymentStatus;
  /** The fleet this deployment launches; named after the deployment so compensation can always find it. */
  greenFleetId: string;
  blue?: { fleetId: string; imageId: string; version: string };
  /** What was live when the deployment took the lock: compensation puts it back. */
  previousRelease?: Release;
  imageId?: string;
  bakeKey?: string;
  imageReused?: boolean;
  trafficBefore?: TrafficSnapshot;
  approvedBy?: string;
  /** How the approver's identity was established (local user, Slack user id, IAM ARN). */
  approvedVia?: string;
  /**
   * A verdict in doubt that waits for an approver (`onInconclusive: approval`, ADR 50): its step and reason;
   * null once approved (a rejection or no answer ends the deployment).
   */
  inDoubt?: { step: string; reason: string; since: string } | null;
  /** Set by `rollback` while blue is warm: the keep-warm watch ends the deployment and compensation restores blue. */
  rollbackRequestedBy?: string;
  /** The approver's override this deployment went ahead under, during a freeze. */
  freezeOverride?: FreezeOverride;
  phases: Partial<Record<Phase, string>>;
  /** The pre-traffic tests' results, when the environment has them. */
  preTrafficResults?: PreTrafficResult[];
  /** Each analysis verdict, with its numbers (core/analysis/judge-window.ts). */
  analysis?: AnalysisEntry[];
  failure?: FailureDescription;
  warnings: string[];
  /** Announcements sent, by key (core/deployment/once-per-deployment.ts): a retried step does not repeat one. */
  announced?: string[];
  finishedAt?: string;
}

/** One pre-traffic test's outcome: a check, the command, or the function. */
export interface PreTrafficResult {
  name: string;
  passed: boolean;
  /** Why it failed, or what it measured: status, latency, the command's last output. */
  detail: string;
}

/** One analysis verdict as the record keeps it. */
export interface AnalysisEntry {
  /** Where it was made: `CheckGreenAtWeight 10%`, `WatchGreen`. */
  step: string;
  at: string;
  passed: boolean;
  judged: boolean;
  /** pass, fail or inconclusive (ADR 40); absent in entries written before it. */
  outcome?: 'pass' | 'fail' | 'inconclusive';
  /** The statistic, counts, threshold and effect that decided, in one line. */
  reason: string;
  /** The tests' numbers (ADR 40): each e-value, its threshold, the effect and its floor. */
  statistics?: {
    errors: { eValue: number; threshold: number; effect: number | null; floor: number };
    latency: { eValue: number; threshold: number; effect: number | null; floor: number };
    requests: { seen: number; needed: number | null };
  };
  green: WindowMetrics;
  blue: WindowMetrics | null;
  alarmsFiring: string[];
}

/** What serves a service+environment now. */
export interface Release {
  service: string;
  environment: string;
  version: string;
  imageId: string;
  fleetId: string;
  deploymentId: string;
  capacity: Capacity;
  artifact?: ArtifactRef;
  liveSince: string;
}
