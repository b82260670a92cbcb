import { createHash } from 'node:crypto';
import { type EC2Client, type Image as Ec2Image, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { BakeRequest } from '../../core/ports/image-baker.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import type { AwsProviderSettings } from '../commons/aws-settings.js';
import { rootVolumeMapping } from '../commons/root-volume.js';
import { tags } from '../commons/tags.js';
import type { BuilderInstances } from './builder-instance.js';
import { builderUserData } from './builder-user-data.js';

/**
 * Launches a bake's builder from the base AMI (IMDSv2, no key pair, stop on shutdown) with the user data that
 * provisions it from `urls`, and returns its instance id (undefined if EC2 named none).
 */
export async function launchBuilder(
  ec2: EC2Client,
  builders: BuilderInstances,
  launch: {
    request: BakeRequest;
    provider: AwsProviderSettings;
    base: Ec2Image | undefined;
    urls: { artifactUrl: string; resultUrl: string };
  },
): Promise<string | undefined> {
  const { request, provider, base, urls } = launch;
  const bakeTags = tags({
    role: 'builder',
    bakeId: request.bakeId,
    deployment: request.deploymentId,
    service: request.service,
    version: request.version,
    bakeKey: request.bakeKey,
  });
  const runInstances = () =>
    ec2.send(
      new RunInstancesCommand({
        // Idempotent: a retried start returns the same builder instead of launching a second one.
        ClientToken: clientToken(request.bakeId),
        ImageId: request.baseImageId,
        InstanceType: provider.builderInstanceType as never,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: provider.builderSubnetId,
        SecurityGroupIds: [provider.builderSecurityGroupId],
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [rootVolumeMapping(base)],
        InstanceInitiatedShutdownBehavior: 'stop',
        UserData: builderUserData({ ...urls, timeoutSeconds: request.timeoutSeconds }),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: bakeTags },
          { ResourceType: 'volume', Tags: bakeTags },
        ],
      }),
    );
  // A retried start signs its URLs anew, so the same token comes with other user data: EC2 answers
  // IdempotentParameterMismatch, and the builder the first attempt launched is the one to keep.
  return withAwsErrors('RunInstances (builder)', runInstances).then(
    ({ Instances }) => Instances?.[0]?.InstanceId,
    async (error: Error) => {
      if (error.name !== 'IdempotentParameterMismatch') throw error;
      return builders.of(request.bakeId);
    },
  );
}

/** EC2 client tokens are at most 64 ASCII characters: a digest of the bake id always fits. */
function clientToken(bakeId: string): string {
  return createHash('sha256').update(bakeId).digest('hex');
}
