import {
  DeregisterImageCommand,
  type DescribeImagesCommandInput,
  type EC2Client,
  type Image as Ec2Image,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { BakeFailed } from '../../core/errors.js';
import type { Image, ImageCatalog } from '../../core/ports/image-baker.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { describeImages } from '../commons/ec2-describe.js';
import { TAG, tagValue } from '../commons/tags.js';

/**
 * The AMIs bakeshift made, read and removed with EC2 and SSM alone: the steps that never bake (launch, prune,
 * congruence, janitor) bundle no S3 or Step Functions client, which keeps their cold start short (ADR 19).
 */
export class Ec2ImageCatalog implements ImageCatalog {
  // Changes with the builder's user data: an image baked by another script is not reused.
  readonly recipe = 'ec2-user-data-v2';

  constructor(private readonly clients: { ec2: EC2Client; ssm: SSMClient }) {}

  /** An AMI id, or an SSM parameter (e.g. the latest Amazon Linux 2023) resolved to the AMI it names today. */
  async resolveBaseImage(reference: string): Promise<string> {
    if (reference.startsWith('ami-')) return reference;
    return withAwsErrors('resolve base image', async () => {
      const { Parameter } = await this.clients.ssm.send(new GetParameterCommand({ Name: reference }));
      if (!Parameter?.Value?.startsWith('ami-'))
        throw new BakeFailed(`SSM parameter ${reference} does not name an AMI`);
      return Parameter.Value;
    });
  }

  async findImageByBakeKey(service: string, bakeKey: string) {
    const images = await this.describe({
      Owners: ['self'],
      Filters: [
        { Name: `tag:${TAG.managedBy}`, Values: ['bakeshift'] },
        { Name: `tag:${TAG.service}`, Values: [service] },
        { Name: `tag:${TAG.bakeKey}`, Values: [bakeKey] },
        { Name: 'state', Values: ['available'] },
      ],
    });
    return images[0];
  }

  async getImage(imageId: string) {
    return (await this.describe({ ImageIds: [imageId] }))[0];
  }

  async listImages(service: string) {
    return this.describe({
      Owners: ['self'],
      Filters: [
        { Name: `tag:${TAG.managedBy}`, Values: ['bakeshift'] },
        { Name: `tag:${TAG.service}`, Values: [service] },
      ],
    });
  }

  async discardImage(imageId: string): Promise<void> {
    const image = await this.getRawImage(imageId);
    if (!image) return;
    // A snapshot stays "in use" for a while after its image is deregistered (InvalidSnapshot.InUse): EC2
    // deletes them together instead (DeregisterImage's DeleteAssociatedSnapshots).
    await withAwsErrors('DeregisterImage', () =>
      this.clients.ec2.send(
        new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true }),
      ),
    );
  }

  /** The AMI as EC2 describes it, or undefined when EC2 does not know it. */
  async getRawImage(imageId: string): Promise<Ec2Image | undefined> {
    try {
      return (await describeImages(this.clients.ec2, { ImageIds: [imageId] }))[0];
    } catch (error) {
      if ((error as Error).name === 'InvalidAMIID.NotFound') return undefined;
      throw error;
    }
  }

  private async describe(input: DescribeImagesCommandInput): Promise<Image[]> {
    try {
      return (await describeImages(this.clients.ec2, input))
        .filter((i) => i.State === 'available' || i.State === 'pending')
        .map(toImage);
    } catch (error) {
      if ((error as Error).name === 'InvalidAMIID.NotFound') return [];
      throw error;
    }
  }
}

function toImage(image: Ec2Image): Image {
  return {
    imageId: image.ImageId ?? '',
    service: tagValue(image.Tags, TAG.service) ?? '',
    version: tagValue(image.Tags, TAG.version) ?? '',
    bakeKey: tagValue(image.Tags, TAG.bakeKey) ?? '',
    createdAt: image.CreationDate ?? '',
    createdByDeployment: tagValue(image.Tags, TAG.deployment) ?? '',
    healthPath: tagValue(image.Tags, TAG.healthPath) ?? '/health',
  };
}
