import {
  type ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FleetSpec } from '../../core/ports/fleets.js';
import { withAwsErrors } from '../commons/aws-errors.js';

/**
 * Sets a target-group slot's health check to green's before green is attached: the path comes from the image's
 * manifest (or the environment's override), which the CDK app cannot know at synth. Its own module, so that
 * only the function that launches fleets bundles the load balancer client.
 */
export class SlotHealthCheck {
  constructor(private readonly elb: ElasticLoadBalancingV2Client) {}

  async configure(slot: string, check: FleetSpec['healthCheck']): Promise<void> {
    await withAwsErrors('ModifyTargetGroup', () =>
      this.elb.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: slot,
          HealthCheckPath: check.path,
          HealthCheckIntervalSeconds: check.intervalSeconds,
          HealthCheckTimeoutSeconds: check.timeoutSeconds,
          HealthyThresholdCount: check.healthyThreshold,
          UnhealthyThresholdCount: check.unhealthyThreshold,
        }),
      ),
    );
  }
}
