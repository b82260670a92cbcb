import { DeleteSnapshotCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { queryParams } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

/** DeregisterImage's DeleteAssociatedSnapshots: moto ignores it, so the AMI's snapshots are deleted after. */
export const deregisterImageSnapshots = (motoEndpoint: string): MotoShim => ({
  operation: 'ec2:DeregisterImage',
  moto: {
    source:
      'moto/ec2/responses/amis.py:39-46 (reads ImageId only) and moto/ec2/models/amis.py:338-345 (pops the AMI, leaves its snapshot)',
    does: 'DeleteAssociatedSnapshots is ignored: the AMI goes, its snapshot stays',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeregisterImage.html',
    says: 'DeleteAssociatedSnapshots: Specifies whether to delete the snapshots associated with the AMI during deregistration. If a snapshot is associated with multiple AMIs, it is not deleted, regardless of this setting.',
  },
  layer: async (call, next) => {
    if (call.service !== 'ec2' || call.action !== 'DeregisterImage') return next(call);
    const params = queryParams(call);
    if (params.get('DeleteAssociatedSnapshots') !== 'true') return next(call);
    const ec2 = new EC2Client(motoClientConfig(motoEndpoint));
    const imageId = params.get('ImageId') ?? '';
    const snapshotsOf = async (filter: { ImageIds?: string[] }) => {
      const { Images = [] } = await ec2.send(new DescribeImagesCommand(filter)).catch(() => ({ Images: [] }));
      return Images.flatMap((i) =>
        (i.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
      );
    };
    const own = await snapshotsOf({ ImageIds: [imageId] });
    const answer = await next(call);
    if (answer.status !== 200) return answer;
    // A snapshot another AMI still uses is kept, as the reference says.
    const stillUsed = new Set(await snapshotsOf({}));
    for (const snapshot of own.filter((s) => !stillUsed.has(s)))
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot }));
    return answer;
  },
});
