import { describe, expect, it } from 'vitest';
import { planPromotion } from '../../core/releases/plan-promotion.js';
import { deliveryFigures } from '../../core/stats/delivery-figures.js';
import { FakeWorld } from '../support/fake-world.js';

describe('lead time for changes across a promotion', () => {
  it('runs from the artifact’s upload (staging’s request), carried along the promotion, to live in prod', async () => {
    const world = new FakeWorld();
    const staging = await world.deploy({ version: '1.0.0' });
    // Two days in staging before the promotion.
    world.clock.advance(2 * 86_400);
    const request = await planPromotion(world.ports(), {
      service: 'web',
      from: 'staging',
      to: 'prod',
      requestedBy: 'ann',
    });
    expect(request.changeRequestedAt).toBe(staging.request.requestedAt);
    expect((await world.start(request).outcome).status).toBe('SUCCEEDED');
    const record = await world.store.getDeployment(request.deploymentId);
    expect(record?.changeRequestedAt).toBe(staging.request.requestedAt);

    const now = world.clock.now();
    const period = { since: new Date(now.getTime() - 7 * 86_400_000), until: now };
    const prod = deliveryFigures(
      await world.store.listDeployments('web', 'prod', 100),
      {
        service: 'web',
        environment: 'prod',
      },
      period,
    );
    const upload = Date.parse(staging.request.requestedAt);
    const live = Date.parse(record?.phases.commit ?? '');
    expect(prod.leadTimeSeconds).toBe((live - upload) / 1000);
    expect(prod.leadTimeSeconds).toBeGreaterThan(2 * 86_400);
  });
});
