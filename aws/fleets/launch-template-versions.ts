import {
  type EC2Client,
  type LaunchTemplateVersion,
  paginateDescribeLaunchTemplateVersions,
} from '@aws-sdk/client-ec2';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { PAGE_SIZE } from '../commons/page-sizes.js';

/**
 * The versions of a launch template, every page read (a template gains a version per deployment): all of them,
 * or those named. EC2's errors pass through: each caller says which of them means "none".
 */
export async function launchTemplateVersions(
  ec2: EC2Client,
  name: string,
  versions?: string[],
): Promise<LaunchTemplateVersion[]> {
  const pages = paginateDescribeLaunchTemplateVersions(
    { client: ec2, ...(versions ? {} : { pageSize: PAGE_SIZE.launchTemplateVersions }) },
    { LaunchTemplateName: name, ...(versions ? { Versions: versions } : {}) },
  );
  return withAwsErrors('DescribeLaunchTemplateVersions', () =>
    readAll('DescribeLaunchTemplateVersions', pages, (page) => page.LaunchTemplateVersions),
  );
}
