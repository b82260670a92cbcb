import {
  type AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { LaunchFailed } from '../../core/errors.js';
import type { Fleet, FleetInstance, FleetRef, FleetSpec, Fleets } from '../../core/ports/fleets.js';

import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsSettings } from '../commons/aws-settings.js';
import { describeImages, describeInstances } from '../commons/ec2-describe.js';
import { rootVolumeMapping } from '../commons/root-volume.js';
import { TAG, tags, tagValue } from '../commons/tags.js';
import type { SlotHealthCheck } from '../traffic/slot-health-check.js';
import type { FleetDirectory } from './fleet-directory.js';
import { secretsToFetch } from './instance-secrets.js';
import { instanceUserData } from './instance-user-data.js';
import { launchTemplateVersions } from './launch-template-versions.js';

const launchTemplateName = (service: string, environment: string) => `bakeshift-${service}-${environment}`;

/**
 * Fleets as Auto Scaling groups: one launch template per service+environment (version 1 a placeholder, so every
 * deployment's version can be deleted), a version per deployment (IMDSv2, encrypted EBS, instance profile, user
 * data with the environment's variables), and a new group per deployment in the free target-group slot, with ELB
 * health checks. An existing group (blue) is never modified: only deleted when it is reaped.
 */
export class AutoScalingFleets implements Fleets {
  constructor(
    private readonly clients: { ec2: EC2Client; autoScaling: AutoScalingClient },
    private readonly settings: AwsSettings,
    private readonly directory: FleetDirectory,
    /** Sets green's health check at launch; functions that only destroy or inspect fleets go without it. */
    private readonly healthChecks?: SlotHealthCheck,
  ) {}

  async launch(spec: FleetSpec): Promise<Fleet> {
    const existing = await this.directory.byFleet(spec.fleetId);
    if (existing) return this.describeGroup(existing.group, spec.fleetId);
    const env = await this.settings.environment(spec.service, spec.environment);
    const slot = await this.freeSlot(spec, env.targetGroupArns);
    if (!this.healthChecks)
      throw new LaunchFailed('these fleets were built without a slot health check: they cannot launch');
    await this.healthChecks.configure(slot, spec.healthCheck);
    const version = await this.createLaunchTemplateVersion(spec, env);
    const groupTags = tags({
      service: spec.service,
      environment: spec.environment,
      version: spec.version,
      deployment: spec.deploymentId,
      fleet: spec.fleetId,
    });
    await withAwsErrors('CreateAutoScalingGroup', () =>
      this.clients.autoScaling.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: groupName(spec),
          LaunchTemplate: {
            LaunchTemplateName: launchTemplateName(spec.service, spec.environment),
            Version: String(version),
          },
          MinSize: spec.capacity.min,
          MaxSize: spec.capacity.max,
          DesiredCapacity: spec.capacity.desired,
          VPCZoneIdentifier: env.subnetIds.join(','),
          TargetGroupARNs: [slot],
          HealthCheckType: 'ELB',
          HealthCheckGracePeriod: 120,
          Tags: groupTags.map((t) => ({ ...t, PropagateAtLaunch: true })),
        }),
      ),
    ).catch((error: Error) => {
      if (error.name !== 'AlreadyExistsFault') throw error;
    });
    return { fleetId: spec.fleetId, imageId: spec.imageId, version: spec.version, capacity: spec.capacity };
  }

  async describe(fleetId: string): Promise<Fleet | undefined> {
    const found = await this.directory.byFleet(fleetId);
    return found && this.describeGroup(found.group, fleetId);
  }

  /** The group's instances with the image each was launched from. */
  async instances(fleetId: string): Promise<FleetInstance[]> {
    const ids = ((await this.directory.byFleet(fleetId))?.group.Instances ?? []).flatMap((i) =>
      i.InstanceId ? [i.InstanceId] : [],
    );
    return this.describeInstancesById(ids);
  }

  /** These instances with the image each was launched from: DescribeInstances takes up to 1000 ids a call. */
  private async describeInstancesById(ids: string[]): Promise<FleetInstance[]> {
    const found: FleetInstance[] = [];
    for (let start = 0; start < ids.length; start += 1000) {
      const instances = await describeInstances(this.clients.ec2, {
        InstanceIds: ids.slice(start, start + 1000),
      });
      for (const instance of instances) {
        found.push({
          instanceId: instance.InstanceId ?? '',
          imageId: instance.ImageId ?? '',
          launchedAt: new Date(instance.LaunchTime ?? 0).toISOString(),
        });
      }
    }
    return found;
  }

  /**
   * The image of the launch template version each group of the service launches from (a mixed instances
   * policy's template too). A group whose template is gone (deleted by hand) is read from its running instances,
   * which still serve. A group that cannot be read throws: nothing is then discarded.
   */
  async imagesInUse(service: string): Promise<string[]> {
    const byTemplate = new Map<string, { versions: Set<string>; instanceIds: string[] }>();
    for (const { name, group } of await this.directory.ofService(service)) {
      const template =
        group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
      if (!template?.LaunchTemplateName)
        throw new LaunchFailed(`group ${name} launches from no launch template bakeshift can read`);
      const entry = byTemplate.get(template.LaunchTemplateName) ?? {
        versions: new Set<string>(),
        instanceIds: [],
      };
      entry.versions.add(template.Version ?? '$Default');
      entry.instanceIds.push(...(group.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])));
      byTemplate.set(template.LaunchTemplateName, entry);
    }
    const images: string[] = [];
    for (const [name, { versions, instanceIds }] of byTemplate) {
      const read = await launchTemplateVersions(this.clients.ec2, name, [...versions]).catch(
        (error: Error) => {
          if (error.name === 'InvalidLaunchTemplateName.NotFoundException') return undefined;
          throw error;
        },
      );
      if (!read) {
        images.push(...(await this.imagesOfInstances(name, instanceIds)));
        continue;
      }
      for (const version of read) {
        if (!version.LaunchTemplateData?.ImageId)
          throw new LaunchFailed(`launch template ${name} version ${version.VersionNumber} names no image`);
        images.push(version.LaunchTemplateData.ImageId);
      }
    }
    return images;
  }

  /** The images running instances were launched from; one with no image throws. */
  private async imagesOfInstances(template: string, ids: string[]): Promise<string[]> {
    return (await this.describeInstancesById(ids)).map(({ instanceId, imageId }) => {
      if (!imageId)
        throw new LaunchFailed(
          `instance ${instanceId} of launch template ${template}'s groups names no image`,
        );
      return imageId;
    });
  }

  async launchChanges(fleetId: string): Promise<string[]> {
    const found = await this.directory.byFleet(fleetId);
    if (!found) return [];
    const { group } = found;
    if (group.MixedInstancesPolicy)
      return [
        'its group launches with a mixed instances policy, not the launch template version bakeshift made',
      ];
    const template = group.LaunchTemplate;
    const expected = launchTemplateName(
      tagValue(group.Tags, TAG.service) ?? '',
      tagValue(group.Tags, TAG.environment) ?? '',
    );
    if (!template?.LaunchTemplateName || template.LaunchTemplateName !== expected)
      return [
        `its group launches from ${template?.LaunchTemplateName ?? template?.LaunchTemplateId ?? 'a launch configuration'}, not launch template ${expected}`,
      ];
    const [version] = await launchTemplateVersions(this.clients.ec2, expected, [
      template.Version ?? '$Default',
    ]).catch((error: Error) => {
      // The template or the group's version deleted since (EC2's codes for them): a change to report.
      if (
        error.name === 'InvalidLaunchTemplateName.NotFoundException' ||
        error.name === 'InvalidLaunchTemplateId.VersionNotFound'
      )
        return [];
      throw error;
    });
    // Versions are immutable: the one bakeshift made for this fleet is described by the fleet id.
    return version?.VersionDescription === fleetId
      ? []
      : [
          `its group launches from version ${template.Version ?? '$Default'} of ${expected} (${version?.VersionDescription || 'no description'}), not the version bakeshift made for this fleet`,
        ];
  }

  /**
   * Deletes the group (its instances with it) and the launch template version made for this fleet, found by its
   * description, so a launch that stopped between the two creations leaves nothing behind either.
   */
  async destroy({ fleetId, service, environment }: FleetRef): Promise<void> {
    const found = await this.directory.byFleet(fleetId);
    if (found) {
      await withAwsErrors('DeleteAutoScalingGroup', () =>
        this.clients.autoScaling.send(
          new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: found.name, ForceDelete: true }),
        ),
      ).catch(async (error: Error) => {
        // A missing group is Auto Scaling's common ValidationError (the model lists no not-found error for
        // DeleteAutoScalingGroup): that the group is gone is seen by looking again, never read from the wording.
        if (error.name !== 'ValidationError' || (await this.directory.byFleet(fleetId))) throw error;
      });
    }
    const name = launchTemplateName(service, environment);
    const versions = await launchTemplateVersions(this.clients.ec2, name).catch((error: Error) => {
      if (error.name === 'InvalidLaunchTemplateName.NotFoundException') return [];
      throw error;
    });
    const own = versions
      .filter((v) => v.VersionDescription === fleetId && !v.DefaultVersion)
      .map((v) => String(v.VersionNumber));
    if (own.length > 0) {
      await withAwsErrors('DeleteLaunchTemplateVersions', () =>
        this.clients.ec2.send(
          new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateName: name, Versions: own }),
        ),
      );
    }
  }

  /** The target-group slot no other fleet of this service+environment is attached to. */
  private async freeSlot(spec: FleetSpec, slots: [string, string]): Promise<string> {
    const used = new Set(
      (await this.directory.ofEnvironment(spec.service, spec.environment)).flatMap(
        (f) => f.group.TargetGroupARNs ?? [],
      ),
    );
    const free = slots.find((arn) => !used.has(arn));
    if (!free)
      throw new LaunchFailed(
        `both target-group slots of ${spec.service}/${spec.environment} are in use (a fleet is still being reaped?)`,
      );
    return free;
  }

  private async createLaunchTemplateVersion(
    spec: FleetSpec,
    env: Awaited<ReturnType<AwsSettings['environment']>>,
  ): Promise<number> {
    const name = launchTemplateName(spec.service, spec.environment);
    const [image] = await describeImages(this.clients.ec2, { ImageIds: [spec.imageId] });
    const instanceTags = tags({
      service: spec.service,
      environment: spec.environment,
      version: spec.version,
      deployment: spec.deploymentId,
      fleet: spec.fleetId,
    });
    const data = {
      ImageId: spec.imageId,
      InstanceType: env.instanceType as never,
      IamInstanceProfile: { Arn: env.instanceProfileArn },
      SecurityGroupIds: env.securityGroupIds,
      MetadataOptions: {
        HttpTokens: 'required' as const,
        HttpEndpoint: 'enabled' as const,
        HttpPutResponseHopLimit: 1,
      },
      BlockDeviceMappings: [rootVolumeMapping(image)],
      UserData: instanceUserData({
        variables: spec.variables,
        secrets: secretsToFetch(spec.secrets, await this.clients.ec2.config.region()),
        port: env.appPort,
        drainSeconds: spec.drainSeconds,
        logGroup: `/bakeshift/${spec.service}/${spec.environment}`,
      }),
      TagSpecifications: [
        { ResourceType: 'instance' as const, Tags: instanceTags },
        { ResourceType: 'volume' as const, Tags: instanceTags },
      ],
    };
    // The template first, idempotently: versioning a template that does not exist would be authorized against
    // a resource without tags (IAM's aws:ResourceTag), which AWS can refuse before it says NotFound.
    await withAwsErrors('CreateLaunchTemplate', () =>
      this.clients.ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: name,
          ClientToken: `${name}-create`.slice(0, 64),
          VersionDescription: 'placeholder: every deployment adds its own version',
          LaunchTemplateData: { MetadataOptions: data.MetadataOptions },
          TagSpecifications: [
            {
              ResourceType: 'launch-template',
              Tags: tags({ service: spec.service, environment: spec.environment }),
            },
          ],
        }),
      ),
    ).catch((error: Error) => {
      if (error.name !== 'InvalidLaunchTemplateName.AlreadyExistsException') throw error;
    });
    const { LaunchTemplateVersion } = await withAwsErrors('CreateLaunchTemplateVersion', () =>
      this.clients.ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateName: name,
          // Idempotent per fleet: a retried launch gets the version the first attempt created.
          ClientToken: spec.fleetId.slice(0, 64),
          VersionDescription: spec.fleetId,
          LaunchTemplateData: data,
        }),
      ),
    );
    return LaunchTemplateVersion?.VersionNumber ?? 0;
  }

  private describeGroup(
    group: {
      MinSize?: number;
      DesiredCapacity?: number;
      MaxSize?: number;
      Tags?: { Key?: string; Value?: string }[];
    },
    fleetId: string,
  ): Fleet {
    return {
      fleetId,
      imageId: '',
      version: tagValue(group.Tags, TAG.version) ?? '',
      capacity: { min: group.MinSize ?? 0, desired: group.DesiredCapacity ?? 0, max: group.MaxSize ?? 0 },
    };
  }
}

/** Names the group after service, environment and version (ASG names: up to 255 characters). */
function groupName(spec: FleetSpec): string {
  const version = spec.version.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40);
  return `bakeshift-${spec.service}-${spec.environment}-${version}-${spec.fleetId.slice(-8)}`;
}
