import type { Capacity } from '../config/service-config.js';

export interface FleetSpec {
  fleetId: string;
  service: string;
  environment: string;
  deploymentId: string;
  version: string;
  imageId: string;
  capacity: Capacity;
  /** The app's environment variables, given at start; nothing environment-specific is in the image. */
  variables: Record<string, string>;
  /**
   * Environment variable name → secret reference (SSM parameter, Secrets Manager ARN): read where the instance
   * runs, at each start of the app, never written into an image or its launch data.
   */
  secrets: Record<string, string>;
  /** How the load balancer checks each instance. */
  healthCheck: {
    path: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
  };
  /** The deregistration delay: how long a draining instance may finish its in-flight requests. */
  drainSeconds: number;
}

export interface FleetRef {
  fleetId: string;
  service: string;
  environment: string;
}

export interface Fleet {
  fleetId: string;
  imageId: string;
  version: string;
  capacity: Capacity;
}

/** One running instance of a fleet, as the provider sees it (for drift reports). */
export interface FleetInstance {
  instanceId: string;
  imageId: string;
  launchedAt: string;
}

/** Groups of identical, disposable instances started from one image (locally processes, on AWS an ASG). */
export interface Fleets {
  /** Idempotent by fleetId. */
  launch(spec: FleetSpec): Promise<Fleet>;
  /** The capacity is what the provider has now, which may differ from what was launched. */
  describe(fleetId: string): Promise<Fleet | undefined>;
  /** The fleet's instances now; none when the fleet does not exist. */
  instances(fleetId: string): Promise<FleetInstance[]>;
  /**
   * How the fleet now launches instances, where that differs from what bakeshift made for it (e.g. its group
   * switched to another launch template version), one sentence each. Omitted by providers where nothing outside
   * bakeshift can change it (local mode).
   */
  launchChanges?(fleetId: string): Promise<string[]>;
  /**
   * Idempotent: destroying a fleet that does not exist succeeds, and removes what a launch interrupted half way
   * left behind (hence the service and environment, not only the id).
   */
  destroy(fleet: FleetRef): Promise<void>;
  /**
   * The image every fleet of the service runs now, in any environment, configured or not, read from the provider
   * (never from records): what no remover may discard (ADR 52). Throws when it cannot read them all.
   */
  imagesInUse(service: string): Promise<string[]>;
}
