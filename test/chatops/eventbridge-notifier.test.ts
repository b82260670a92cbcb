import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeNotifier } from '../../aws/events/eventbridge-notifier.js';
import { FanOutNotifier } from '../../core/ports/fan-out-notifier.js';
import { RecordingNotifier } from '../support/fakes/recording-notifier.js';

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const event = {
  kind: 'rolled_back' as const,
  deploymentId: 'web-prod-1',
  service: 'web',
  environment: 'prod',
  version: '2.0.0',
  imageId: 'ami-123',
  at: '2026-11-21T12:00:00.000Z',
  detail: 'AwaitGreenHealthy failed with HealthCheckFailed: 0/3 healthy',
};

describe('deployment events on EventBridge', () => {
  it('publishes each transition with source bakeshift, its own detail-type, and the deployment in the detail', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    await new EventBridgeNotifier(new EventBridgeClient({ region: 'us-east-1' }), 'platform-events').notify(
      event,
    );

    const [call] = eventBridge.commandCalls(PutEventsCommand);
    expect(call?.args[0].input.Entries).toEqual([
      {
        EventBusName: 'platform-events',
        Source: 'bakeshift',
        DetailType: 'Deployment Rolled Back',
        Time: new Date('2026-11-21T12:00:00.000Z'),
        Detail: JSON.stringify({
          deploymentId: 'web-prod-1',
          service: 'web',
          environment: 'prod',
          version: '2.0.0',
          imageId: 'ami-123',
          at: '2026-11-21T12:00:00.000Z',
          detail: 'AwaitGreenHealthy failed with HealthCheckFailed: 0/3 healthy',
        }),
      },
    ]);
  });

  it('fails when EventBridge refuses the entry, so the caller can retry and log it', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDenied', ErrorMessage: 'no' }] });
    await expect(
      new EventBridgeNotifier(new EventBridgeClient({ region: 'us-east-1' }), 'bus').notify(event),
    ).rejects.toThrow('AccessDenied');
  });

  it('fans out to every notifier even when one fails, then reports the failure', async () => {
    const working = new RecordingNotifier();
    const failing = new RecordingNotifier();
    failing.failing = true;
    await expect(new FanOutNotifier([failing, working]).notify(event)).rejects.toThrow(
      'notification channel is down',
    );
    expect(working.kinds('web-prod-1')).toEqual(['rolled_back']);
  });
});
