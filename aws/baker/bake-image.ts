import { CreateImageCommand, type EC2Client, type Image as Ec2Image } from '@aws-sdk/client-ec2';
import { BakeFailed } from '../../core/errors.js';
import type { BakeRequest } from '../../core/ports/image-baker.js';
import { withAwsErrors } from '../commons/aws-errors.js';
import { describeImages } from '../commons/ec2-describe.js';
import { TAG, tags, tagValue } from '../commons/tags.js';
import type { BakeEntry } from './bake-ledger.js';

/**
 * The bake's image, found by its name (the bake key's): its own from an earlier attempt (pending or
 * available: it is waited for), another bake's once available, or a new one made from the stopped builder.
 * Another bake's image still being made is never adopted (its bake may yet fail or discard it): the caller
 * waits for it.
 */
export async function adoptOrCreateImage(
  ec2: EC2Client,
  entry: BakeEntry,
): Promise<{ imageId: string } | { othersPending: Ec2Image }> {
  const name = imageName(entry.request);
  const find = async () => {
    const images = await describeImages(ec2, {
      Owners: ['self'],
      Filters: [{ Name: 'name', Values: [name] }],
    });
    return imageToAdopt(images, entry.bakeId);
  };
  const existing = await find();
  if (existing) return existing;
  try {
    return { imageId: await createImage(ec2, entry, name) };
  } catch (error) {
    const adopted = (error as Error).name === 'InvalidAMIName.Duplicate' ? await find() : undefined;
    if (adopted) return adopted;
    throw error;
  }
}

async function createImage(ec2: EC2Client, entry: BakeEntry, name: string): Promise<string> {
  const { request } = entry;
  const healthPath = entry.healthPath ?? '/health';
  const imageTags = tags({
    service: request.service,
    version: request.version,
    bakeKey: request.bakeKey,
    deployment: request.deploymentId,
    bakeId: request.bakeId,
    healthPath,
  });
  const { ImageId } = await withAwsErrors('CreateImage', () =>
    ec2.send(
      new CreateImageCommand({
        InstanceId: entry.builderInstanceId,
        Name: name,
        Description: `bakeshift ${request.service} ${request.version} (bake key ${request.bakeKey})`,
        TagSpecifications: [
          { ResourceType: 'image', Tags: imageTags },
          { ResourceType: 'snapshot', Tags: imageTags },
        ],
      }),
    ),
  );
  if (!ImageId) throw new BakeFailed('CreateImage returned no image id');
  return ImageId;
}

/**
 * Of the images with a bake's name, the one it may use: its own (by the bake-id tag) while pending or available,
 * another bake's only when available; else another bake's pending one, to wait for.
 */
function imageToAdopt(
  images: Ec2Image[],
  bakeId: string,
): { imageId: string } | { othersPending: Ec2Image } | undefined {
  const own = images.find(
    (i) => tagValue(i.Tags, TAG.bakeId) === bakeId && (i.State === 'pending' || i.State === 'available'),
  );
  const usable = own ?? images.find((i) => i.State === 'available');
  if (usable?.ImageId) return { imageId: usable.ImageId };
  const othersPending = images.find((i) => i.State === 'pending');
  return othersPending ? { othersPending } : undefined;
}

/** AMI names are unique per account and region: the bake key makes a retried bake find its own image. */
function imageName(request: BakeRequest): string {
  return `bakeshift-${request.service}-${request.version}-${request.bakeKey.slice(0, 12)}`.replace(
    /[^A-Za-z0-9()[\]./\-'@_ ]/g,
    '-',
  );
}
