import { type CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import type { OperationResults } from '../../core/operations/operations.js';
import { readFirst } from '../../shared-adapters/paging/read-pages.js';

/** Bounds one read: a busy group is read page by page, never without end. */
const MAX_PAGES = 10;
/** How far back `logs` looks: the instances of the last day. */
const LOGS_WINDOW_MS = 24 * 3600_000;

const filtered = (logs: CloudWatchLogsClient, logGroupName: string, startTime: number) =>
  readFirst(
    paginateFilterLogEvents({ client: logs }, { logGroupName, startTime }),
    (page) => page.events,
    MAX_PAGES,
  );

/** The last lines the instances of a service+environment shipped to its group (stream = instance id). */
export async function readInstanceLogs(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  lines: number,
): Promise<OperationResults['logs']> {
  const events = await filtered(logs, logGroupName, Date.now() - LOGS_WINDOW_MS).catch((error: Error) => {
    if (error.name === 'ResourceNotFoundException') return [];
    throw error;
  });
  return events.slice(-lines).map((event) => ({
    time: new Date(event.timestamp ?? 0).toISOString(),
    instanceId: event.logStreamName ?? '',
    stream: 'stdout',
    message: event.message ?? '',
  }));
}

/**
 * bakeshift's events after a point in time (ms), as the EventBridge rule wrote them to the events group: the
 * cursor is the newest event's time + 1, so a reader that follows sees each event once.
 */
export async function readEvents(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  after: number,
): Promise<OperationResults['events']> {
  const found = await filtered(logs, logGroupName, after);
  const events = found.map((event) => {
    const entry = JSON.parse(event.message ?? '{}') as { detail?: Record<string, unknown>; time?: string };
    return { ...(entry.detail ?? {}), time: entry.time };
  });
  const newest = Math.max(after - 1, ...found.map((event) => event.timestamp ?? 0));
  return { events, next: newest + 1 };
}
