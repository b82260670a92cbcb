import { describe, expect, it } from 'vitest';
import { detectDrift, type ObservedFleet } from '../../core/congruence/detect-drift.js';
import { DriftReport, summarizeDrift } from '../../core/congruence/drift-report.js';

const now = new Date('2026-11-21T03:00:00.000Z');
const congruent = (): ObservedFleet => ({
  expected: { fleetId: 'fleet-1', imageId: 'ami-live', capacity: { min: 2, desired: 2, max: 4 } },
  fleet: {
    fleetId: 'fleet-1',
    imageId: 'ami-live',
    version: '1.0.0',
    capacity: { min: 2, desired: 2, max: 4 },
  },
  instances: [
    { instanceId: 'i-a', imageId: 'ami-live', launchedAt: '2026-11-20T03:00:00.000Z' },
    { instanceId: 'i-b', imageId: 'ami-live', launchedAt: '2026-11-21T02:00:00.000Z' },
  ],
  launchChanges: [],
  targets: ['i-a', 'i-b'],
  imageCreatedAt: '2026-11-01T03:00:00.000Z',
  onNewestBase: true,
  now,
});

describe('detectDrift', () => {
  it('finds nothing in a fleet as bakeshift launched it, and reports instance and image ages', () => {
    const report = detectDrift(congruent());
    expect(report.findings).toEqual([]);
    expect(report.instances).toEqual([
      { instanceId: 'i-a', imageId: 'ami-live', ageSeconds: 86_400 },
      { instanceId: 'i-b', imageId: 'ami-live', ageSeconds: 3_600 },
    ]);
    expect(report.imageAgeSeconds).toBe(20 * 86_400);
    expect(DriftReport.parse(report)).toEqual(report);
    expect(summarizeDrift(report)).toBe('no drift (2 instances, all on the live image)');
  });

  it('names every kind of drift a person may have introduced', () => {
    const observed = congruent();
    observed.fleet = {
      fleetId: 'fleet-1',
      imageId: 'ami-live',
      version: '1.0.0',
      capacity: { min: 2, desired: 3, max: 4 },
    };
    observed.instances[1] = { instanceId: 'i-b', imageId: 'ami-patched', launchedAt: now.toISOString() };
    observed.targets = ['i-a', 'stray'];
    observed.onNewestBase = false;
    observed.launchChanges = ['its group launches from version 7 of lt-web (by hand)'];
    const kinds = detectDrift(observed).findings.map((f) => `${f.kind}: ${f.detail}`);
    expect(kinds).toEqual([
      'capacity_changed: capacity is 2/3/4 (min/desired/max), bakeshift set 2/2/4',
      'launch_configuration_changed: its group launches from version 7 of lt-web (by hand)',
      'instance_count: 2 instances run, desired capacity is 3',
      'instance_not_on_live_image: instance i-b runs ami-patched, the live image is ami-live',
      'instance_not_registered: instance i-b is not in the target group',
      'unmanaged_target: target stray is in the target group but is no instance of the fleet',
      'stale_base_image: a newer base image exists than the live image was baked on',
    ]);
  });

  it('reports a live fleet that no longer exists', () => {
    const report = detectDrift({ ...congruent(), fleet: undefined, instances: [], targets: [] });
    expect(report.findings.map((f) => f.kind)).toEqual(['fleet_missing']);
  });

  it('stays bounded for a large fleet that drifted entirely: lists the first findings and counts the rest', () => {
    const instances = Array.from({ length: 300 }, (_, n) => ({
      instanceId: `i-${n}`,
      imageId: 'ami-patched',
      launchedAt: now.toISOString(),
    }));
    const report = detectDrift({ ...congruent(), instances, targets: instances.map((i) => i.instanceId) });
    expect(report.instances).toHaveLength(100);
    expect(report.findings).toHaveLength(50);
    expect(report.omittedFindings).toBe(1 + 300 - 50);
    expect(DriftReport.parse(report)).toEqual(report);
    expect(JSON.stringify(report).length).toBeLessThan(32 * 1024);
    expect(summarizeDrift(report)).toMatch(/^301 drift finding\(s\): .*; and 251 more$/);
  });
});
