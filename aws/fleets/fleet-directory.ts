import {
  type AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { withAwsErrors } from '../commons/aws-errors.js';
import { TAG, tagValue } from '../commons/tags.js';

export interface FleetGroup {
  fleetId: string;
  name: string;
  targetGroupArn?: string;
  group: AutoScalingGroup;
}

/** Finds fleets (Auto Scaling groups) by their tags: one DescribeAutoScalingGroups call, whatever their size. */
export class FleetDirectory {
  constructor(private readonly autoScaling: AutoScalingClient) {}

  async byFleet(fleetId: string): Promise<FleetGroup | undefined> {
    return (await this.find([{ Name: `tag:${TAG.fleet}`, Values: [fleetId] }]))[0];
  }

  async ofEnvironment(service: string, environment: string): Promise<FleetGroup[]> {
    return this.find([
      { Name: `tag:${TAG.service}`, Values: [service] },
      { Name: `tag:${TAG.environment}`, Values: [environment] },
    ]);
  }

  private async find(Filters: { Name: string; Values: string[] }[]): Promise<FleetGroup[]> {
    const { AutoScalingGroups } = await withAwsErrors('DescribeAutoScalingGroups', () =>
      this.autoScaling.send(new DescribeAutoScalingGroupsCommand({ Filters })),
    );
    return (AutoScalingGroups ?? [])
      .filter((group) => group.Status !== 'Delete in progress')
      .map((group) => ({
        fleetId: tagValue(group.Tags, TAG.fleet) ?? '',
        name: group.AutoScalingGroupName ?? '',
        ...(group.TargetGroupARNs?.[0] ? { targetGroupArn: group.TargetGroupARNs[0] } : {}),
        group,
      }));
  }
}
