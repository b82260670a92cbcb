import type { Capacity } from '../config/service-config.js';
import type { Fleet, FleetInstance } from '../ports/fleets.js';
import {
  type DriftFinding,
  type DriftReport,
  MAX_REPORTED_FINDINGS,
  MAX_REPORTED_INSTANCES,
} from './drift-report.js';

export interface ObservedFleet {
  /** What bakeshift launched: the live release's image and capacity. */
  expected: { fleetId: string; imageId: string; capacity: Capacity };
  /** What the provider says exists now; undefined when the fleet is gone. */
  fleet: Fleet | undefined;
  instances: FleetInstance[];
  /** How the fleet's launch configuration differs from what bakeshift made (Fleets.launchChanges). */
  launchChanges: string[];
  /** Target ids registered in the fleet's target group (draining ones excluded). */
  targets: string[];
  /** When the live image was baked, if it still exists. */
  imageCreatedAt: string | undefined;
  onNewestBase: boolean;
  now: Date;
}

/** The fleet's own differences: gone, resized, its launch configuration changed, a wrong instance count. */
function fleetFindings({ expected, fleet, instances, launchChanges }: ObservedFleet): DriftFinding[] {
  if (!fleet)
    return [
      { kind: 'fleet_missing', detail: `fleet ${expected.fleetId} of the live release no longer exists` },
    ];
  const findings: DriftFinding[] = [];
  const { min, desired, max } = fleet.capacity;
  const want = expected.capacity;
  if (min !== want.min || desired !== want.desired || max !== want.max)
    findings.push({
      kind: 'capacity_changed',
      detail: `capacity is ${min}/${desired}/${max} (min/desired/max), bakeshift set ${want.min}/${want.desired}/${want.max}`,
    });
  for (const change of launchChanges) findings.push({ kind: 'launch_configuration_changed', detail: change });
  if (instances.length !== desired)
    findings.push({
      kind: 'instance_count',
      detail: `${instances.length} instances run, desired capacity is ${desired}`,
    });
  return findings;
}

/** Compares a live fleet with what bakeshift made of it: every difference is drift. */
export function detectDrift(observed: ObservedFleet): DriftReport {
  const { expected, instances, targets, now } = observed;
  const findings: DriftFinding[] = [];
  const add = (kind: DriftFinding['kind'], detail: string) => findings.push({ kind, detail });
  const ageOf = (at: string) => Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000));

  findings.push(...fleetFindings(observed));
  for (const instance of instances) {
    if (instance.imageId !== expected.imageId)
      add(
        'instance_not_on_live_image',
        `instance ${instance.instanceId} runs ${instance.imageId}, the live image is ${expected.imageId}`,
      );
    if (!targets.includes(instance.instanceId))
      add('instance_not_registered', `instance ${instance.instanceId} is not in the target group`);
  }
  const own = new Set(instances.map((i) => i.instanceId));
  for (const target of targets.filter((t) => !own.has(t)))
    add('unmanaged_target', `target ${target} is in the target group but is no instance of the fleet`);
  if (!observed.onNewestBase)
    add('stale_base_image', 'a newer base image exists than the live image was baked on');

  return {
    at: now.toISOString(),
    liveImageId: expected.imageId,
    ...(observed.imageCreatedAt ? { imageAgeSeconds: ageOf(observed.imageCreatedAt) } : {}),
    onNewestBase: observed.onNewestBase,
    instances: instances.slice(0, MAX_REPORTED_INSTANCES).map((i) => ({
      instanceId: i.instanceId,
      imageId: i.imageId,
      ageSeconds: ageOf(i.launchedAt),
    })),
    findings: findings.slice(0, MAX_REPORTED_FINDINGS),
    omittedFindings: Math.max(0, findings.length - MAX_REPORTED_FINDINGS),
  };
}
