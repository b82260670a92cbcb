/**
 * The largest page each paginated AWS API answers (ADR 36): fewer calls for the same list. Without a page size
 * EC2 answers a describe by filter in one piece, which can be throttled or time out ("Pagination in the Amazon
 * EC2 API": use MaxResults, e.g. 1,000, with filters). Describes by id take no page size: EC2 refuses
 * MaxResults with InstanceIds.
 */
export const PAGE_SIZE = {
  /** Auto Scaling API reference: MaxRecords at most 100. */
  autoScalingGroups: 100,
  /** EC2 developer guide, pagination: MaxResults 1,000 with filters. */
  instances: 1000,
  images: 1000,
  /** EC2 API reference: MaxResults between 1 and 200. */
  launchTemplateVersions: 200,
  /** CloudWatch API reference: MaxRecords 1 to 100. */
  alarms: 100,
} as const;
