import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FleetHealth, Health } from '../../core/ports/health.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { FleetDirectory } from '../fleets/fleet-directory.js';

const stateOf = (d: TargetHealthDescription) => d.TargetHealth?.State ?? 'unavailable';

/**
 * A fleet's health from its target group, counting only the fleet's own instances: a slot can still hold
 * targets of a previous fleet (registered by hand, or left behind), and their health says nothing about this
 * one. Two calls per check, whatever the fleet's size: the group (its instances now: Auto Scaling replaces
 * unhealthy ones) and their target health.
 */
export class TargetGroupHealth implements Health {
  constructor(
    private readonly elb: ElasticLoadBalancingV2Client,
    private readonly directory: FleetDirectory,
  ) {}

  async check(target: { fleetId: string }): Promise<FleetHealth> {
    const found = await this.directory.byFleet(target.fleetId);
    if (!found?.targetGroupArn) {
      return { healthy: 0, unhealthy: 0, total: 0, details: [`fleet ${target.fleetId} has no target group`] };
    }
    const own = (found.group.Instances ?? []).flatMap((i) => (i.InstanceId ? [{ Id: i.InstanceId }] : []));
    // Without targets, DescribeTargetHealth would describe every target of the group.
    const descriptions = own.length > 0 ? await this.describe(found.targetGroupArn, own) : [];
    // An instance not (yet) in the group is described as unused (Target.NotRegistered): not registered.
    const registered = descriptions.filter((d) => stateOf(d) !== 'unused');
    return {
      healthy: registered.filter((d) => stateOf(d) === 'healthy').length,
      unhealthy: registered.filter((d) => stateOf(d) === 'unhealthy').length,
      total: registered.length,
      details: descriptions
        .filter((d) => stateOf(d) !== 'healthy')
        .map((d) =>
          `${d.Target?.Id} ${stateOf(d)}: ${d.TargetHealth?.Reason ?? ''} ${d.TargetHealth?.Description ?? ''}`.trim(),
        ),
    };
  }

  /** Every target in the fleet's group, its own or not: a stray one is drift. */
  async registeredTargets(target: { fleetId: string }): Promise<string[]> {
    const targetGroupArn = (await this.directory.byFleet(target.fleetId))?.targetGroupArn;
    if (!targetGroupArn) return [];
    return (await this.describe(targetGroupArn))
      .filter((d) => stateOf(d) !== 'draining')
      .flatMap((d) => (d.Target?.Id ? [d.Target.Id] : []));
  }

  private async describe(targetGroupArn: string, targets?: { Id: string }[]) {
    const { TargetHealthDescriptions = [] } = await withAwsErrors('DescribeTargetHealth', () =>
      this.elb.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: targetGroupArn,
          ...(targets ? { Targets: targets } : {}),
        }),
      ),
    );
    return TargetHealthDescriptions;
  }
}
