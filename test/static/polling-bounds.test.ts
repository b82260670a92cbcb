import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../core/config/service-config.js';
import { loadDeployDefinition } from '../../statemachines/deploy-definition.js';
import { webConfig } from '../support/fake-world.js';
import { pollingRetrierOf, totalPollingSeconds } from '../support/retry-schedule.js';

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
  });
});
