import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeploymentRecord } from '../../core/deployment/deployment-record.js';
import type { OperationResults, Operations, StepEvent } from '../../core/operations/operations.js';
import type { CliContext } from '../../operator/cli/cli-context.js';
import { followDeployment } from '../../operator/cli/follow-deployment.js';

/**
 * What the deploying terminal says besides the steps, over a stand-in of the operations (the answers a control
 * plane gives while a weighted deployment waits for approval, shifts, holds and keeps blue warm).
 */
const ID = 'web-prod-0123456789abcdef';
const record = {
  deploymentId: ID,
  service: 'web',
  environment: 'prod',
  version: '2.0.0',
  greenFleetId: 'fleet-green',
  status: 'succeeded',
} as DeploymentRecord;
const event = (type: string, name?: string): StepEvent =>
  ({ type, timestamp: Date.now(), ...(name ? { state: { name, type: 'Task' } } : {}) }) as StepEvent;

/** Each poll reveals one more batch of events; the approval is pending until the shifts begin. */
function standInOperations(): Operations {
  const batches: StepEvent[][] = [
    [event('StateEntered', 'LaunchGreen'), event('StateExited', 'LaunchGreen')],
    [event('StateEntered', 'AwaitApproval')],
    [
      event('StateExited', 'AwaitApproval'),
      event('StateEntered', 'ShiftTraffic'),
      event('StateExited', 'ShiftTraffic'),
    ],
    [event('StateEntered', 'WatchGreen'), event('ExecutionSucceeded')],
  ];
  let polls = 0;
  const deployment = async (): Promise<OperationResults['deployment']> => {
    polls = Math.min(polls + 1, batches.length);
    return {
      record,
      status: polls === batches.length ? 'SUCCEEDED' : 'RUNNING',
      events: batches.slice(0, polls).flat(),
      trafficSteps: [
        { percent: 10, holdSeconds: 300 },
        { percent: 100, holdSeconds: 0 },
      ],
      keepBlueWarmSeconds: 600,
      approval: {
        approvers: ['alice', 'U0BOB0001'],
        expiresAt: '2026-12-03T15:04:05.000Z',
        status: polls >= 3 ? 'approved' : 'pending',
        slackChannel: 'C0DEPLOYS1',
      },
    };
  };
  const status = async () =>
    ({
      services: [
        {
          service: 'web',
          environment: 'prod',
          url: 'http://127.0.0.1:4100',
          previewUrl: 'http://127.0.0.1:4101',
          traffic: [
            { fleetId: 'fleet-blue', percent: 90 },
            { fleetId: 'fleet-green', percent: 10 },
          ],
        },
      ],
    }) as unknown as OperationResults['status'];
  return { deployment, status } as unknown as Operations;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

describe('following a deployment', () => {
  it('says where green answers, who may approve until when and how, the weights and the hold, blue kept warm, and where it is live', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const ctx = { flags: {} } as unknown as CliContext;
    await followDeployment(ctx, standInOperations(), ID, '2.0.0', { service: 'web', environment: 'prod' });
    const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 8);
    const story = lines.filter((line) => line.startsWith('    '));
    expect(story).toEqual([
      '    green answers at http://127.0.0.1:4101 (preview: no traffic yet)',
      `    waiting for approval by alice or U0BOB0001 until ${clock('2026-12-03T15:04:05.000Z')}: \`bakeshift approve ${ID}\` or \`bakeshift reject ${ID}\`, in the console, in Slack (C0DEPLOYS1)`,
      expect.stringMatching(/^ {4}traffic: blue 90 %, 2\.0\.0 10 %; holding 300 s, until \d\d:\d\d:\d\d$/),
      expect.stringMatching(
        /^ {4}blue kept warm until \d\d:\d\d:\d\d: `bakeshift rollback web --env prod` sends traffic back at once$/,
      ),
      '    live at http://127.0.0.1:4100',
    ]);
    expect(process.exitCode).toBe(0);
  });
});
