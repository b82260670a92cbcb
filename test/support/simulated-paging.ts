/**
 * How the simulated cloud pages its List and Describe answers (ADR 36), and where each size comes from. A
 * size of `undefined` is an unpaginated call: EC2 answers a describe without MaxResults in one piece ("Pagination
 * in the Amazon EC2 API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-pagination.html: such calls
 * "might be throttled and could time out"), and so does every call below whose default page size is not
 * documented.
 */
export const DOCUMENTED_PAGES = {
  /**
   * Auto Scaling API reference, DescribeAutoScalingGroups, MaxRecords: "The default value is 50 and the maximum
   * value is 100. A response can contain fewer items than the value specified by MaxRecords, even when more
   * items are available."
   */
  DescribeAutoScalingGroups: { default: 50, max: 100 },
  /** EC2 API reference, DescribeLaunchTemplateVersions, MaxResults: "This value can be between 1 and 200." */
  DescribeLaunchTemplateVersions: { default: undefined, max: 200 },
  /** EC2 API reference, DescribeInstances and DescribeImages, MaxResults: no default, no documented maximum. */
  DescribeInstances: { default: undefined, max: undefined },
  DescribeImages: { default: undefined, max: undefined },
  /** ELB API reference, DescribeListeners, PageSize: no default documented. */
  DescribeListeners: { default: undefined, max: undefined },
  /** CloudWatch API reference, DescribeAlarms, MaxRecords: 1 to 100 (the API model's range); no default. */
  DescribeAlarms: { default: undefined, max: 100 },
  /** CloudWatch API reference, GetMetricData, MaxDatapoints: "If you omit this, the default of 100,800 is used." */
  GetMetricData: { default: 100_800, max: undefined },
  /** CloudWatch Logs API reference, FilterLogEvents, limit: "The default is 10,000 events." */
  FilterLogEvents: { default: 10_000, max: 10_000 },
  /**
   * Step Functions API reference, GetExecutionHistory, maxResults: "The default is 100 and the maximum allowed
   * page size is 1000. A value of 0 uses the default."
   */
  GetExecutionHistory: { default: 100, max: 1000 },
} as const satisfies Record<string, { default: number | undefined; max: number | undefined }>;

export type PagedOperation = keyof typeof DOCUMENTED_PAGES;

/** A page size the API refuses (Auto Scaling answers ValidationError; the name matters to no caller here). */
export class PageSizeRefused extends Error {
  constructor(operation: PagedOperation, size: number) {
    super(
      `${operation}: a page size of ${size} is out of range (at most ${DOCUMENTED_PAGES[operation].max})`,
    );
    this.name = 'ValidationError';
  }
}

/**
 * One page of `items` from the position `token` names: at most what the caller asked for (or the operation's
 * default), and at most `limit` when a test makes pages tiny. The token is opaque to callers.
 */
export function pageOf<T>(
  operation: PagedOperation,
  items: readonly T[],
  request: { token?: string | undefined; size?: number | undefined },
  limit: number | undefined,
): { items: T[]; next: string | undefined } {
  const documented = DOCUMENTED_PAGES[operation];
  const asked = request.size || documented.default;
  if (request.size && documented.max !== undefined && request.size > documented.max)
    throw new PageSizeRefused(operation, request.size);
  const size = Math.min(asked ?? Number.POSITIVE_INFINITY, limit ?? Number.POSITIVE_INFINITY);
  const from = request.token ? Number(/^page-(\d+)$/.exec(request.token)?.[1] ?? Number.NaN) : 0;
  if (Number.isNaN(from))
    throw Object.assign(new Error(`${operation}: invalid token`), { name: 'InvalidNextToken' });
  const to = from + size;
  return { items: items.slice(from, to), next: to < items.length ? `page-${to}` : undefined };
}
