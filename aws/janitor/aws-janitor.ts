import { type AutoScalingClient, paginateDescribeAutoScalingGroups } from '@aws-sdk/client-auto-scaling';
import { type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { Clock } from '../../core/ports/clock.js';
import type { Fleets } from '../../core/ports/fleets.js';
import type { ImageCatalog } from '../../core/ports/image-baker.js';
import type { ReleaseStore } from '../../core/ports/release-store.js';
import type { ServiceConfigs } from '../../core/ports/service-configs.js';
import type { Traffic } from '../../core/ports/traffic.js';
import { type JanitorReport, type ProviderLeftovers, runJanitor } from '../../core/releases/run-janitor.js';
import type { OwnedResource } from '../../core/releases/select-garbage.js';
import { readAll } from '../../shared-adapters/paging/read-pages.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { describeInstances } from '../commons/ec2-describe.js';
import { PAGE_SIZE } from '../commons/page-sizes.js';
import { TAG, tagValue } from '../commons/tags.js';
import { launchTemplateVersions } from '../fleets/launch-template-versions.js';

export interface AwsJanitorDeps {
  clients: { ec2: EC2Client; autoScaling: AutoScalingClient };
  configs: ServiceConfigs;
  store: ReleaseStore;
  fleets: Fleets;
  /** The ALB listeners and target health: what they route to or drain is never removed (ADR 32). */
  traffic: Pick<Traffic, 'fleetsInUse'>;
  baker: ImageCatalog;
  clock: Clock;
}

/**
 * The janitor on AWS: everything tagged managed-by=bakeshift for a service (Auto Scaling groups and launch
 * template versions as fleets, AMIs, builder instances) that nothing keeps: no live release, no deployment in
 * flight, no listener or drain, no rollback window (ADR 32), by the same rule as local mode. `dryRun` only
 * reports, with what is kept and why.
 */
export async function runAwsJanitor(
  deps: AwsJanitorDeps,
  service: string,
  options: { dryRun: boolean },
): Promise<JanitorReport> {
  const provider: ProviderLeftovers = {
    listFleets: (name, environments) => ownedFleets(deps, name, environments),
    listBuilders: (name) => ownedBuilders(deps, name),
    removeBuilder: async (instanceId) => {
      await withAwsErrors('TerminateInstances', () =>
        deps.clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })),
      );
    },
  };
  return runJanitor(deps, provider, service, options);
}

/** Groups by tag, and launch template versions whose group is gone (a launch that stopped half way). */
async function ownedFleets(
  deps: AwsJanitorDeps,
  service: string,
  environments: string[],
): Promise<OwnedResource[]> {
  const pages = paginateDescribeAutoScalingGroups(
    { client: deps.clients.autoScaling, pageSize: PAGE_SIZE.autoScalingGroups },
    {
      Filters: [
        { Name: `tag:${TAG.managedBy}`, Values: ['bakeshift'] },
        { Name: `tag:${TAG.service}`, Values: [service] },
      ],
    },
  );
  const groups = await withAwsErrors('DescribeAutoScalingGroups', () =>
    readAll('DescribeAutoScalingGroups', pages, (page) => page.AutoScalingGroups),
  );
  const fleets = new Map<string, OwnedResource>();
  for (const group of groups) {
    const fleetId = tagValue(group.Tags, TAG.fleet);
    const environment = tagValue(group.Tags, TAG.environment);
    if (fleetId && environment)
      fleets.set(fleetId, {
        kind: 'fleet',
        id: fleetId,
        service,
        environment,
        deploymentId: tagValue(group.Tags, TAG.deployment) ?? fleetId,
      });
  }
  // Every environment a group is in too, configured or not: each fleet's image is read from the fleet.
  const groupEnvironments = [...fleets.values()].flatMap((f) => (f.kind === 'fleet' ? [f.environment] : []));
  for (const environment of new Set([...environments, ...groupEnvironments])) {
    const versions = await launchTemplateVersions(
      deps.clients.ec2,
      `bakeshift-${service}-${environment}`,
    ).catch((error: Error) => {
      // No launch template for this environment (EC2 API reference, "Error codes"): no versions to list.
      if (error.name === 'InvalidLaunchTemplateName.NotFoundException') return [];
      throw error;
    });
    for (const version of versions) addVersion(fleets, version, service, environment);
  }
  return [...fleets.values()];
}

/**
 * A launch template version's fleet (one whose group is gone, unless it is the default), and the image every
 * fleet runs, read from its version: known even when its deployment record is lost.
 */
function addVersion(
  fleets: Map<string, OwnedResource>,
  version: Awaited<ReturnType<typeof launchTemplateVersions>>[number],
  service: string,
  environment: string,
) {
  const fleetId = version.VersionDescription;
  if (!fleetId) return;
  if (!version.DefaultVersion && !fleets.has(fleetId))
    fleets.set(fleetId, { kind: 'fleet', id: fleetId, service, environment, deploymentId: fleetId });
  const fleet = fleets.get(fleetId);
  const imageId = version.LaunchTemplateData?.ImageId;
  if (fleet?.kind === 'fleet' && imageId) fleet.imageId = imageId;
}

async function ownedBuilders(deps: AwsJanitorDeps, service: string): Promise<OwnedResource[]> {
  const instances = await describeInstances(deps.clients.ec2, {
    Filters: [
      { Name: `tag:${TAG.role}`, Values: ['builder'] },
      { Name: `tag:${TAG.service}`, Values: [service] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ],
  });
  return instances.map((instance) => ({
    kind: 'builder' as const,
    id: instance.InstanceId ?? '',
    service,
    deploymentId: tagValue(instance.Tags, TAG.deployment) ?? '',
    launchedAt: (instance.LaunchTime ?? new Date(0)).toISOString(),
  }));
}
