import { afterEach, describe, expect, it, vi } from 'vitest';
import { publishMetricsOnEnd } from '../../functions/commons/task-telemetry.js';
import { FakeWorld } from '../support/fake-world.js';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** The Embedded Metric Format lines Powertools Metrics prints on standard output (CloudWatch Logs reads them). */
function captureEmf(): { lines: EmfLine[]; restore: () => void } {
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
    const text = String(chunk);
    if (text.includes('"CloudWatchMetrics"')) lines.push(JSON.parse(text) as EmfLine);
    else return write(chunk, ...(rest as []));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

describe('deployment metrics (Powertools Metrics, EMF), published by the step announcing the end', () => {
  afterEach(() => publishMetricsOnEnd(undefined));

  it('one EMF line per deployment: count, outcome, rollback, duration, bake time, per service and environment', async () => {
    publishMetricsOnEnd(true);
    const world = new FakeWorld();
    const emf = captureEmf();
    try {
      await world.deploy({ version: '1.0.0' });
      world.health.brokenVersions.add('2.0.0');
      await world.deploy({ version: '2.0.0' });
    } finally {
      emf.restore();
    }

    expect(emf.lines).toHaveLength(2);
    const [succeeded, rolledBack] = emf.lines;
    for (const line of emf.lines) {
      const [directive] = line._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe('bakeshift');
      expect(directive?.Dimensions).toEqual([['service', 'environment']]);
      expect(line).toMatchObject({ service: 'web', environment: 'staging', Deployments: 1 });
      expect(directive?.Metrics).toEqual(
        expect.arrayContaining([
          { Name: 'DeploymentDuration', Unit: 'Seconds' },
          { Name: 'BakeTime', Unit: 'Seconds' },
          { Name: 'DeploymentRolledBack', Unit: 'Count' },
        ]),
      );
      expect(line.DeploymentDuration).toEqual(expect.any(Number));
      expect(line.BakeTime).toEqual(expect.any(Number));
    }
    expect(succeeded).toMatchObject({ DeploymentSucceeded: 1, DeploymentRolledBack: 0 });
    expect(rolledBack).toMatchObject({ DeploymentSucceeded: 0, DeploymentRolledBack: 1 });
  });

  it('nothing is printed where metrics are off (local mode, outside Lambda)', async () => {
    const world = new FakeWorld();
    const emf = captureEmf();
    try {
      await world.deploy({ version: '1.0.0' });
    } finally {
      emf.restore();
    }
    expect(emf.lines).toEqual([]);
  });
});
