import type { PreTrafficConfig } from '../config/service-config.js';
import type { PreTrafficResult } from '../deployment/deployment-record.js';

/** What a pre-traffic run is told: where green's preview is and which deployment it belongs to. */
export interface PreTrafficRun {
  previewUrl: string;
  deploymentId: string;
  service: string;
  environment: string;
  version: string;
  tests: PreTrafficConfig;
}

/**
 * Runs an environment's pre-traffic tests against green's preview endpoint, each within the run's timeout (a
 * test still running then is stopped and fails). Locally: HTTP checks and a command; on AWS: a Lambda function.
 */
export interface PreTrafficTests {
  run(run: PreTrafficRun): Promise<PreTrafficResult[]>;
}
