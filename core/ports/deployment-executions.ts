/** What became of a deployment's execution of the state machine (executions are named after deployments). */
export type ExecutionState =
  | { running: true }
  /** `endedAt`: when it ended (ISO 8601), where known: the Lambda of its last step may still run a while. */
  | { running: false; status: string; endedAt?: string };

/** Whether a deployment's execution still runs: DescribeExecution on AWS, the engine locally. */
export interface DeploymentExecutions {
  /** Throws when that cannot be told (throttled, denied, no such execution): the caller keeps to its bounds. */
  stateOf(deploymentId: string): Promise<ExecutionState>;
}
