import type { ApprovalChannel } from './approval-channel.js';
import type { Clock } from './clock.js';
import type { DeploymentExecutions } from './deployment-executions.js';
import type { Fleets } from './fleets.js';
import type { Health } from './health.js';
import type { ImageBaker } from './image-baker.js';
import type { InstanceDiagnostics } from './instance-diagnostics.js';
import type { Notifier } from './notifier.js';
import type { PreTrafficTests } from './pre-traffic-tests.js';
import type { ReleaseStore } from './release-store.js';
import type { ServiceConfigs } from './service-configs.js';
import type { TaskCallbacks } from './task-callbacks.js';
import type { Traffic } from './traffic.js';
import type { TrafficMetrics } from './traffic-metrics.js';

/** Everything the handlers need from the outside world; each handler declares the subset it uses. */
export interface Ports {
  configs: ServiceConfigs;
  store: ReleaseStore;
  baker: ImageBaker;
  fleets: Fleets;
  traffic: Traffic;
  metrics: TrafficMetrics;
  preTraffic: PreTrafficTests;
  health: Health;
  diagnostics: InstanceDiagnostics;
  approvals: ApprovalChannel;
  notifier: Notifier;
  callbacks: TaskCallbacks;
  clock: Clock;
  executions: DeploymentExecutions;
}
