import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { PAGE_SIZE } from '../commons/page-sizes.js';
import { TAG, tagValue } from '../commons/tags.js';

export interface FleetGroup {
  fleetId: string;
  name: string;
  targetGroupArn?: string;
  group: AutoScalingGroup;
}

/** Finds fleets (Auto Scaling groups) by their tags, every page read: a page can be short, even empty. */
export class FleetDirectory {
  constructor(private readonly autoScaling: AutoScalingClient) {}

  async byFleet(fleetId: string): Promise<FleetGroup | undefined> {
    return (await this.find([{ Name: `tag:${TAG.fleet}`, Values: [fleetId] }]))[0];
  }

  /** Every group of the service, in any environment (configured or not). */
  async ofService(service: string): Promise<FleetGroup[]> {
    return this.find([{ Name: `tag:${TAG.service}`, Values: [service] }]);
  }

  async ofEnvironment(service: string, environment: string): Promise<FleetGroup[]> {
    return this.find([
      { Name: `tag:${TAG.service}`, Values: [service] },
      { Name: `tag:${TAG.environment}`, Values: [environment] },
    ]);
  }

  private async find(Filters: { Name: string; Values: string[] }[]): Promise<FleetGroup[]> {
    const groups = await withAwsErrors('DescribeAutoScalingGroups', () =>
      readAll(
        'DescribeAutoScalingGroups',
        paginateDescribeAutoScalingGroups(
          { client: this.autoScaling, pageSize: PAGE_SIZE.autoScalingGroups },
          { Filters },
        ),
        (page) => page.AutoScalingGroups,
      ),
    );
    return groups
      .filter((group) => group.Status !== 'Delete in progress')
      .map((group) => ({
        fleetId: tagValue(group.Tags, TAG.fleet) ?? '',
        name: group.AutoScalingGroupName ?? '',
        ...(group.TargetGroupARNs?.[0] ? { targetGroupArn: group.TargetGroupARNs[0] } : {}),
        group,
      }));
  }
}
