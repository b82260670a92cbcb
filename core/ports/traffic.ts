import type { TrafficSnapshot } from '../deployment/deployment-record.js';
import type { FleetWeight } from '../deployment/traffic-plan.js';

/** The listener of one service+environment. */
export interface ListenerKey {
  service: string;
  environment: string;
}

/** At most 5 fleets can share a listener's traffic (the ALB's weighted forward limit). */
export const MAX_WEIGHTED_FLEETS = 5;

/** The load balancer in front of a service+environment (locally an HTTP proxy, on AWS an ALB listener). */
export interface Traffic {
  current(listener: ListenerKey): Promise<TrafficSnapshot>;
  /** Weights sum to 100 across at most MAX_WEIGHTED_FLEETS fleets. */
  shift(listener: ListenerKey, weights: FleetWeight[]): Promise<void>;
  /** Puts back exactly what `current` returned. */
  restore(listener: ListenerKey, snapshot: TrafficSnapshot): Promise<void>;
  /** Routes the preview listener to a fleet before it takes real traffic. */
  preview(listener: ListenerKey, fleetId: string): Promise<{ url?: string }>;
  /** Deregisters a fleet's targets; in-flight requests finish within the returned delay. */
  drain(listener: ListenerKey, fleetId: string): Promise<{ drainSeconds: number }>;
}
