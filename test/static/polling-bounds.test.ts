import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { MAX_WINDOW_WAIT_HOURS } from '../../core/windows/deployment-windows.js';
import { LOCAL_TIMING } from '../../local/control-plane/control-plane.js';
import { withLocalPolling } from '../../local/engine/local-polling.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { pollingRetrierOf, type Retrier, totalPollingSeconds } from '../../statemachines/retry-schedule.js';
import { webConfig } from '../support/fake-world.js';

/**
 * A polling state's Retry must outlast the largest limit its handler enforces: if the schedule gives up first,
 * the deployment ends with the polling signal (e.g. LockHeld) instead of the limit's own error.
 */
const definition = loadDeployDefinition();

/** The largest value the configuration schema accepts for an environment or service field. */
function largestAccepted(set: (config: ReturnType<typeof webConfig>, value: number) => void): number {
  let [low, high] = [0, 1_000_000];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const config = webConfig();
    set(config, mid);
    try {
      parseServiceConfig(config, 'probe.json');
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

describe('every polling retrier covers the largest limit it serves', () => {
  it.each([
    [
      'PrepareDeployment',
      'lockWaitSeconds',
      (c: ReturnType<typeof webConfig>, v: number) => Object.assign(c, { lockWaitSeconds: v }),
    ],
    [
      'AwaitGreenHealthy',
      'healthCheck.deadlineSeconds',
      (c: ReturnType<typeof webConfig>, v: number) =>
        Object.assign(c.environments.staging, { healthCheck: { deadlineSeconds: v } }),
    ],
    [
      'WatchGreen',
      'keepBlueWarmSeconds',
      (c: ReturnType<typeof webConfig>, v: number) =>
        Object.assign(c.environments.staging, { keepBlueWarmSeconds: v }),
    ],
  ] as const)('%s polls for longer than the largest %s', (state, _, set) => {
    const retrier = pollingRetrierOf(definition, state);
    expect(retrier).toBeDefined();
    const limit = largestAccepted(set);
    expect(limit).toBeGreaterThan(0);
    expect(totalPollingSeconds(retrier as NonNullable<typeof retrier>)).toBeGreaterThanOrEqual(limit);

    // Local mode polls sooner (local/control-plane LOCAL_TIMING): it must still poll as long.
    const localDefinition = withLocalPolling(definition, LOCAL_TIMING.retryIntervalMs);
    const local = pollingRetrierOf(localDefinition, state);
    const retry = definition.States[state]?.Retry ?? [];
    const override = LOCAL_TIMING.retryIntervalMs[state];
    const localMs = Array.isArray(override)
      ? override[retry.indexOf(retrier as (typeof retry)[number])]
      : override;
    expect(localMs).toBeGreaterThan(0);
    expect((localMs ?? 0) * (local?.MaxAttempts ?? 0)).toBeGreaterThanOrEqual(limit * 1000);
  });

  it('the window and the lock have budgets of their own: a Wait until the opening, then the LockHeld retrier', () => {
    const prepare = definition.States.PrepareDeployment;
    const retriers = (prepare?.Retry ?? []) as Retrier[];
    // No poll stands for the window any more: WaitForWindow sleeps until the opening PrepareDeployment answers.
    expect(retriers.flatMap((r) => r.ErrorEquals)).not.toContain('WindowClosed');
    expect(prepare?.TimeoutSeconds).toBeGreaterThan(0);
    // The Choice after it (no extra state transition per deployment) sends a waiting one to WaitForWindow.
    expect(prepare?.Next).toBe('ChooseImageSource');
    expect(definition.States.ChooseImageSource?.Choices?.[0]).toEqual({
      Variable: '$.plan.waitForWindow',
      IsPresent: true,
      Next: 'WaitForWindow',
    });
    expect(definition.States.WaitForWindow).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.plan.waitForWindow.until',
      Next: 'PrepareDeployment',
    });
    // The execution outlasts the longest window wait followed by the longest lock wait (its own schedule).
    const lockRetrier = pollingRetrierOf(definition, 'PrepareDeployment') as Retrier;
    expect(lockRetrier.ErrorEquals).toEqual(['LockHeld']);
    expect(definition.TimeoutSeconds).toBeGreaterThan(
      MAX_WINDOW_WAIT_HOURS * 3600 + totalPollingSeconds(lockRetrier) + 24 * 3600,
    );
  });
});
