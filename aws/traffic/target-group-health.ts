import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FleetHealth, Health } from '../../core/ports/health.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { FleetDirectory } from '../fleets/fleet-directory.js';

/**
 * A fleet's health from its target group: one DescribeTargetHealth call per check, whatever the fleet's size.
 * Slots alternate between blue and green, so a fleet's group holds only its own targets.
 */
export class TargetGroupHealth implements Health {
  /** A fleet's slot never changes while it is checked (it is detached only when drained): looked up once. */
  private readonly slots = new Map<string, string>();

  constructor(
    private readonly elb: ElasticLoadBalancingV2Client,
    private readonly directory: FleetDirectory,
  ) {}

  async check(target: { fleetId: string }): Promise<FleetHealth> {
    const targetGroupArn =
      this.slots.get(target.fleetId) ?? (await this.directory.byFleet(target.fleetId))?.targetGroupArn;
    if (!targetGroupArn) {
      return { healthy: 0, unhealthy: 0, total: 0, details: [`fleet ${target.fleetId} has no target group`] };
    }
    this.slots.set(target.fleetId, targetGroupArn);
    const { TargetHealthDescriptions = [] } = await withAwsErrors('DescribeTargetHealth', () =>
      this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    );
    const state = (d: (typeof TargetHealthDescriptions)[number]) => d.TargetHealth?.State ?? 'unavailable';
    const details = TargetHealthDescriptions.filter((d) => state(d) !== 'healthy').map((d) =>
      `${d.Target?.Id} ${state(d)}: ${d.TargetHealth?.Reason ?? ''} ${d.TargetHealth?.Description ?? ''}`.trim(),
    );
    return {
      healthy: TargetHealthDescriptions.filter((d) => state(d) === 'healthy').length,
      unhealthy: TargetHealthDescriptions.filter((d) => state(d) === 'unhealthy').length,
      total: TargetHealthDescriptions.length,
      details,
    };
  }
}
