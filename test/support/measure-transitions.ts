import { FakeWorld, webConfig } from './fake-world.js';

/** Step Functions Standard: $0.025 per 1,000 state transitions (us-east-1). */
export const USD_PER_TRANSITION = 0.025 / 1000;

/**
 * State transitions of a plain all-at-once deployment with no approval that replaces a live blue, with the
 * default keep-warm window, and a bake that takes `bakeMinutes` (scaled to `bakeMinutes * 2` ms of real time).
 */
export async function transitionsOfPlainDeployment(bakeMinutes: number): Promise<number> {
  const world = new FakeWorld();
  const config = webConfig();
  const { keepBlueWarmSeconds: _defaultApplies, ...staging } = config.environments.staging;
  world.configs.set('web', { ...config, environments: { ...config.environments, staging } });
  const blue = await world.deploy({ version: '1.0.0' });
  if (blue.outcome.status !== 'SUCCEEDED') throw new Error(`setup failed: ${blue.outcome.cause}`);

  world.baker.bakeMinutes = bakeMinutes;
  world.baker.bakeDelayMs = bakeMinutes * 2;
  const run = await world.deploy({ version: '2.0.0' });
  if (run.outcome.status !== 'SUCCEEDED') throw new Error(`deployment failed: ${run.outcome.cause}`);
  return run.execution.stateTransitions;
}
