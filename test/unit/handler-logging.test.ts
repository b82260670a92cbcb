import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localLambdaContext } from '../../local/engine/lambda-context.js';
import { FakeWorld } from '../support/fake-world.js';

// Powertools reads its level from the environment when the logger is created, and returns to it on every
// warm invocation: set it before any handler module is imported.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

describe('handler logging', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('puts the deployment id and task on every line, and never the task token or app variables', async () => {
    const world = new FakeWorld();
    const { request } = await world.deploy({ version: '1.0.0', environment: 'prod' });
    vi.restoreAllMocks();

    const records = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThan(5);
    for (const record of records) {
      expect(record).toMatchObject({ deploymentId: request.deploymentId, service: 'bakeshift' });
      expect(record.task).toEqual(expect.any(String));
    }
    const ticket = await world.store.approvalOf(request.deploymentId);
    const text = lines.join('');
    expect(ticket?.taskToken).toBeDefined();
    expect(text).not.toContain(ticket?.taskToken);
    expect(text).not.toContain('postgres://secret');
  });

  it('rejects invalid input with the field named', async () => {
    const world = new FakeWorld();
    const { createLaunchGreen } = await import('../../functions/launch-green.js');
    const handler = createLaunchGreen(world.ports());
    await expect(
      handler({ deploymentId: 'x', plan: { service: 1 } }, localLambdaContext('LaunchGreen', 60)),
    ).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('LaunchGreen input: plan.deploymentId:'),
    });
  });
});
