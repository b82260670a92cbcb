/** How one instance of a fleet ended, or what it printed last: what a person needs to see why it is not healthy. */
export interface InstanceReport {
  instanceId: string;
  /** How its app last exited ("exit code 2", "signal SIGKILL"); absent where the provider cannot tell. */
  exit?: string;
  /** Its last lines of output (stderr locally; on AWS its log stream's last events), oldest first. */
  lastOutput: string[];
}

/** One request to an instance's health path, made for a diagnosis: what the app really answers there. */
export interface HealthProbe {
  instanceId: string;
  path: string;
  expectedStatus: number;
  /** The status it answered; absent when it did not answer (then `error` says why). */
  status?: number;
  error?: string;
  /** The start of the body it answered, for a person to recognise (a framework's 404 page, a stack trace). */
  bodyExcerpt: string;
}

export interface FleetDiagnosis {
  /** Instances that exited (newest last) or, where exits are not known, each instance's last output. */
  instances: InstanceReport[];
  /** Where the provider can reach an instance: one health request's answer. */
  probe?: HealthProbe;
}

/**
 * Why a fleet is not healthy, from its instances (locally the processes; on AWS their logs): read by
 * AwaitGreenHealthy, so a failure says why at once instead of "0/2 healthy" after the whole deadline.
 */
export interface InstanceDiagnostics {
  /**
   * Cheap, asked at every health poll: why the fleet can never become healthy however long it is given (its
   * instances keep exiting and are no longer replaced), or undefined while it still may. A provider that keeps
   * replacing instances without bound (Auto Scaling) answers undefined: the health deadline bounds the wait.
   */
  hopeless(fleet: FleetTarget): Promise<string | undefined>;
  /** Asked once the step fails: each instance's last exit and output, and what its health path answers. */
  diagnose(fleet: FleetTarget): Promise<FleetDiagnosis>;
}

export interface FleetTarget {
  service: string;
  environment: string;
  fleetId: string;
}
