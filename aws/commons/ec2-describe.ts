import {
  type DescribeImagesCommandInput,
  type DescribeInstancesCommandInput,
  type EC2Client,
  type Image,
  type Instance,
  paginateDescribeImages,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from './aws-errors.js';
import { PAGE_SIZE } from './page-sizes.js';

/**
 * EC2's describes, every page read (ADR 36). By filter, in pages of 1,000 (a page can be short, even empty,
 * with more to come); by id, without a page size (EC2 refuses MaxResults with InstanceIds).
 */
export async function describeInstances(
  ec2: EC2Client,
  input: DescribeInstancesCommandInput,
): Promise<Instance[]> {
  const pages = paginateDescribeInstances(
    { client: ec2, ...(input.InstanceIds ? {} : { pageSize: PAGE_SIZE.instances }) },
    { ...input },
  );
  const reservations = await withAwsErrors('DescribeInstances', () =>
    readAll('DescribeInstances', pages, (page) => page.Reservations),
  );
  return reservations.flatMap((r) => r.Instances ?? []);
}

export async function describeImages(ec2: EC2Client, input: DescribeImagesCommandInput): Promise<Image[]> {
  const pages = paginateDescribeImages(
    { client: ec2, ...(input.ImageIds ? {} : { pageSize: PAGE_SIZE.images }) },
    { ...input },
  );
  return withAwsErrors('DescribeImages', () => readAll('DescribeImages', pages, (page) => page.Images));
}
