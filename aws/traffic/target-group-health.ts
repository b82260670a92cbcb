import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
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
    const descriptions = await this.describe(target.fleetId);
    if (!descriptions) {
      return { healthy: 0, unhealthy: 0, total: 0, details: [`fleet ${target.fleetId} has no target group`] };
    }
    const state = (d: TargetHealthDescription) => d.TargetHealth?.State ?? 'unavailable';
    const details = descriptions
      .filter((d) => state(d) !== 'healthy')
      .map((d) =>
        `${d.Target?.Id} ${state(d)}: ${d.TargetHealth?.Reason ?? ''} ${d.TargetHealth?.Description ?? ''}`.trim(),
      );
    return {
      healthy: descriptions.filter((d) => state(d) === 'healthy').length,
      unhealthy: descriptions.filter((d) => state(d) === 'unhealthy').length,
      total: descriptions.length,
      details,
    };
  }

  async registeredTargets(target: { fleetId: string }): Promise<string[]> {
    return ((await this.describe(target.fleetId)) ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .flatMap((d) => (d.Target?.Id ? [d.Target.Id] : []));
  }

  /** Undefined when the fleet has no target group. */
  private async describe(fleetId: string): Promise<TargetHealthDescription[] | undefined> {
    const targetGroupArn = this.slots.get(fleetId) ?? (await this.directory.byFleet(fleetId))?.targetGroupArn;
    if (!targetGroupArn) return undefined;
    this.slots.set(fleetId, targetGroupArn);
    const { TargetHealthDescriptions = [] } = await withAwsErrors('DescribeTargetHealth', () =>
      this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    );
    return TargetHealthDescriptions;
  }
}
