import { CreateTagsCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { queryParams, withQueryParams } from '../support/moto-front.js';
import { motoClientConfig } from '../support/stack-in-moto.js';
import type { MotoShim } from './index.js';

/** CreateImage's `snapshot` tags: moto refuses them (a 500), so they are applied to the AMI's snapshots after. */
export const createImageSnapshotTags = (motoEndpoint: string): MotoShim => ({
  operation: 'ec2:CreateImage',
  moto: {
    source:
      'moto/ec2/models/amis.py:233-234 (`elif resource_type == "snapshot": raise NotImplementedError()`)',
    does: 'a TagSpecification with ResourceType snapshot fails the call with a 500',
  },
  aws: {
    reference: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html',
    says: 'To tag the snapshots that are created of the root volume and of other Amazon EBS volumes that are attached to the instance, the value for ResourceType must be snapshot. The same tag is applied to all of the snapshots that are created.',
  },
  layer: async (call, next) => {
    if (call.service !== 'ec2' || call.action !== 'CreateImage') return next(call);
    const params = queryParams(call);
    const snapshotTags: { Key: string; Value: string }[] = [];
    const kept = new URLSearchParams();
    const specs = new Map<string, Map<string, string>>();
    for (const [key, value] of params) {
      const match = /^TagSpecification\.(\d+)\.(.+)$/.exec(key);
      if (!match) kept.append(key, value);
      else specs.set(match[1] ?? '', (specs.get(match[1] ?? '') ?? new Map()).set(match[2] ?? '', value));
    }
    let index = 0;
    for (const spec of specs.values()) {
      const tags = [...spec.entries()].filter(([k]) => /^Tag\.\d+\.Key$/.test(k));
      if (spec.get('ResourceType') === 'snapshot') {
        for (const [k, tagKey] of tags)
          snapshotTags.push({ Key: tagKey, Value: spec.get(k.replace(/Key$/, 'Value')) ?? '' });
        continue;
      }
      index++;
      for (const [k, v] of spec) kept.append(`TagSpecification.${index}.${k}`, v);
    }
    const answer = await next(withQueryParams(call, kept));
    const imageId = /<imageId>([^<]+)<\/imageId>/.exec(answer.body.toString('utf8'))?.[1];
    if (answer.status !== 200 || !imageId || snapshotTags.length === 0) return answer;
    const ec2 = new EC2Client(motoClientConfig(motoEndpoint));
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    const snapshots = (Images?.[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
      m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
    );
    if (snapshots.length > 0)
      await ec2.send(new CreateTagsCommand({ Resources: snapshots, Tags: snapshotTags }));
    return answer;
  },
});
