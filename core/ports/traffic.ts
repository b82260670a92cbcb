import type { TrafficSnapshot } from '../deployment/deployment-record.js';
import type { FleetWeight } from '../deployment/traffic-plan.js';

/** The listener of one service+environment. */
export interface ListenerKey {
  service: string;
  environment: string;
}

/** At most 5 fleets can share a listener's traffic (the ALB's weighted forward limit). */
export const MAX_WEIGHTED_FLEETS = 5;

/** A fleet the load balancer still needs, and what for: the janitor never removes one (ADR 32). */
export interface FleetInUse {
  fleetId: string;
  /** The listener (any weight > 0, any rule), the preview listener, or targets still deregistering. */
  by: 'listener' | 'preview' | 'draining';
  /** Where, in words: the listener and weight, or the targets draining. */
  detail: string;
}

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
  /**
   * Every fleet the listeners and preview listeners of these environments route to, or whose targets are still
   * draining, read from the load balancer itself (every page). Throws when it cannot read all of it.
   */
  fleetsInUse(service: string, environments: readonly string[]): Promise<FleetInUse[]>;
}
